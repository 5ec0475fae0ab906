"""Streamlit glue only: page_setup(), cached resources and render helpers for the pages."""

from ui.setup import Page, page_setup, require_app, select_app

__all__ = ["Page", "page_setup", "require_app", "select_app"]
