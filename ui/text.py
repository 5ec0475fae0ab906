"""Showing text that a user, an App JSON or an endpoint controls inside Markdown, inertly."""

from __future__ import annotations

import re

_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|>~<$:])")


def md_escape(text: str) -> str:
    """``text`` with every Markdown (and HTML/LaTeX) special character escaped: shown as written."""
    return _MARKDOWN.sub(r"\\\1", str(text)).replace("\n", " ")
