"""Showing text that an endpoint or an App JSON controls: as text, never as Markdown or HTML.

Streamlit renders Markdown in st.error/st.warning/st.caption/st.markdown, widget labels and
headers. ``md`` backslash-escapes every ASCII punctuation character (CommonMark escapes all
of them), so links, images, emphasis, HTML tags, :colour[] directives and $math$ in a value
show as the characters they are.
"""

from __future__ import annotations

import re
import string

_PUNCTUATION = re.compile("([" + re.escape(string.punctuation) + "])")


def md(value: object) -> str:
    """``value`` as Markdown source that displays exactly its text (on one line)."""
    text = str(value).replace("\r", " ").replace("\n", " ")
    return _PUNCTUATION.sub(r"\\\1", text)
