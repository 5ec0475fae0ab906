"""App Key Console core: everything but the UI. Never imports streamlit."""

__version__ = "0.3.0"
