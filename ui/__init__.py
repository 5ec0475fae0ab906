"""Streamlit glue only: page_setup(), session state, cached resources and render helpers."""

from ui.frame import Page, page_link, page_setup, require_app

__all__ = ["Page", "page_link", "page_setup", "require_app"]
