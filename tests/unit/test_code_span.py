"""A pointer or URL shown as inline code displays exactly its text, whatever backticks an App JSON's keys
hold: a Markdown parser reads one code span with that text, never a link, emphasis or a second span."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from ui.findings_view import plain
from ui.text import code_span

PARSER = MarkdownIt("commonmark")


def _inline(markdown: str) -> list[tuple[str, str]]:
    [_, inline, _] = PARSER.parse(markdown)
    return [(child.type, child.content) for child in inline.children or []]


@given(st.text(alphabet=st.sampled_from("`*_[]()<>!#/ax:h\\"), min_size=1, max_size=40))
def test_any_text_is_one_code_span_with_that_text(text: str) -> None:
    tokens = _inline(code_span(text))
    assert len(tokens) == 1 and tokens[0][0] == "code_inline"
    # CommonMark strips one space on each side when both are spaces and the text is not all spaces
    shown = tokens[0][1]
    assert shown == text or (text.strip(" ") and shown == text[1:-1] and text[0] == text[-1] == " ")


def test_a_crafted_key_in_a_pointer_stays_code() -> None:
    pointer = "/auth/request/headers/`[click](https://evil.example)` **bold**"
    assert _inline(code_span(pointer)) == [("code_inline", pointer)]
    assert "".join(text for _, text in _inline(plain("see https://a.example/x`y then"))) == \
        "see https://a.example/x`y then"  # a URL that holds a backtick is shown as escaped text
    assert _inline(plain("see https://a.example/x then")) == [
        ("text", "see "), ("code_inline", "https://a.example/x"), ("text", " then")]
