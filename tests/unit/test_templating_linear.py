"""Template scanning is linear in the input: the worst shapes (openers without closers, a
``{{`` followed by a run of spaces, nested and unclosed mixes) up to the 1 MiB read limit
finish in well under a second, through every scanner and through ``validate`` as a whole.
(Before: ``{{`` + 50,000 spaces took validate 4.5 s; ``{{`` x 20,000 took the URL masker 1.3 s.)
"""

from __future__ import annotations

import copy
import json
import re
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from console.manifest.document import HEADER_LINE, read_manifest
from console.manifest.lint_templates import placeholders
from console.manifest.request_rules import without_placeholders
from console.manifest.validate import validate_manifest
from console.templating import PLACEHOLDER, loose_spans, mask_placeholders, names_in

CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "quickstart_server_side.json"
MIB = 1024 * 1024
# The patterns as they were: the reference for what a match is (run on small inputs only).
OLD_STRICT = re.compile(r"\{\{\s*([A-Za-z0-9_.\-]*)\s*\}\}|\[\[\s*([A-Za-z0-9_.\-]*)\s*\]\]")
OLD_LOOSE = re.compile(r"\{\{[^}]*\}\}|\[\[[^\]]*\]\]")


def _shapes(size: int) -> dict[str, str]:
    half = size // 2
    return {
        "{{ x N": "{{" * half,
        "[[ x N": "[[" * half,
        "{{ + spaces": "{{" + " " * size,
        "[[ + spaces": "[[" + " " * size,
        "{{ + name chars": "{{ " + "a" * size,
        "{{ + spaces + name + spaces": "{{" + " " * half + "a" * (size // 4) + " " * (size // 4),
        "nested unclosed mix": "{{[[" * (size // 4),
        "opener then lone closer": "{{ a }" * (size // 6),
        "escaped quotes unclosed": '"' + '\\"' * half,
        "mixed spaces and openers": "{{  [[  " * (size // 8),
        "closers only": "}}]]" * (size // 4),
    }


def _timed(work: Callable[[], object]) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


@pytest.mark.parametrize("shape", list(_shapes(8)))
def test_every_scanner_is_fast_on_the_worst_shapes_at_1_mib(shape: str) -> None:
    text = _shapes(MIB)[shape]
    scanners: dict[str, Callable[[], object]] = {
        "names_in": lambda: names_in(text),
        "placeholders (lint)": lambda: placeholders(text),
        "without_placeholders (request rules)": lambda: without_placeholders(text),
        "header line": lambda: HEADER_LINE.match("X-A:" + text.replace("\n", " ") + "\nx"),
    }
    for name, work in scanners.items():
        # Quadratic scanning took over a second at 20 KiB (hours at 1 MiB); linear takes well under a
        # second per MiB, so 5 s only fails for a scan that is not linear, even on a loaded machine.
        assert _timed(work) < 5.0, f"{name} is slow on {shape!r}"


def test_validate_of_a_payload_of_brace_and_spaces_is_fast() -> None:
    document = json.loads(CORPUS.read_text())
    for text in ("{{" + " " * 200_000, "[[" + " " * 200_000, "{{" * 100_000, '"' + '\\"' * 100_000):
        hostile = copy.deepcopy(document)
        hostile["auth"]["request"]["payload"]["note"] = text
        hostile["auth"]["request"]["url"] = "https://example.com/" + text[:50_000]
        raw = json.dumps(hostile)
        assert _timed(lambda raw=raw: validate_manifest(read_manifest(raw).document)) < 10.0  # was ~100 s


def test_names_still_found_around_hostile_runs() -> None:
    text = "{{" + " " * 10_000 + "[[ a ]]" + "{{" * 5000 + "{{ b }}"
    assert names_in(text) == ["a", "b"]
    assert mask_placeholders("u/{{" + " " * 100 + "x}}/[[p]]/[[") == "u/x/x/[["


TEMPLATE_TEXT = st.text(alphabet=st.sampled_from(list("{}[] a.-_\n\t\\\"x")), max_size=60)


@settings(max_examples=400, deadline=None)
@given(TEMPLATE_TEXT)
def test_linear_scanners_agree_with_the_original_patterns(text: str) -> None:
    assert [m.span() for m in PLACEHOLDER.finditer(text)] == [m.span() for m in OLD_STRICT.finditer(text)]
    assert names_in(text) == [m.group(1) if m.group(1) is not None else m.group(2)
                              for m in OLD_STRICT.finditer(text)]
    assert loose_spans(text) == [m.span() for m in OLD_LOOSE.finditer(text)]
    assert mask_placeholders(text) == OLD_LOOSE.sub("x", text)
