"""Showing text that an endpoint or an App JSON controls: as text, never as Markdown or HTML.

Streamlit renders Markdown in st.error/st.warning/st.caption/st.markdown, widget labels and
headers; ``md`` escapes a value so it shows exactly its characters there (the same escaping
as the Markdown report).
"""

from __future__ import annotations

from console.report import escape_markdown


def md(value: object) -> str:
    """``value`` as Markdown source that displays exactly its text (on one line)."""
    return escape_markdown(value)
