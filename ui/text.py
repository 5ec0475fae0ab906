"""Showing text that an endpoint or an App JSON controls: as text, never as Markdown or HTML.

Streamlit renders Markdown in st.error/st.warning/st.caption/st.markdown, widget labels and
headers; ``md`` escapes a value so it shows exactly its characters there (the same escaping
as the Markdown report).
"""

from __future__ import annotations

import re

from console.report import escape_markdown

_BACKTICKS = re.compile(r"`+")


def md(value: object) -> str:
    """``value`` as Markdown source that displays exactly its text (on one line)."""
    return escape_markdown(value)


def code_span(value: object) -> str:
    """``value`` as a Markdown inline code span that shows exactly its text, whatever backticks it holds
    (a JSON pointer names the App JSON's own keys): the fence is one backtick longer than the longest run
    inside, padded with a space where the text starts or ends with a backtick (CommonMark)."""
    text = " ".join(str(value).splitlines()) or " "
    fence = "`" * (max((len(run) for run in _BACKTICKS.findall(text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"
