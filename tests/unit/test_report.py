"""The report in three formats: complete, and with no plain key anywhere."""

from __future__ import annotations

import json

from console import __version__, keys
from console.conformance import run_conformance
from console.fire.prepare import FireContext
from console.profile import AppProfile
from console.readiness import ReadinessInput, evaluate_checklist
from console.report import build_report, render_html, render_json, render_markdown
from console.sandbox.sample_endpoint import SampleEndpoint
from console.service.firing import record_cli_fires
from console.store import Store


def test_report_formats_hold_everything_and_no_key(store: Store, sample: SampleEndpoint, demo_doc: dict) -> None:
    run = run_conformance(demo_doc["auth"]["request"], FireContext(params={"workspace": "a"}),
                          url=sample.install_url("ok"))
    fires = record_cli_fires(store, [(item.result, item.step) for item in run], "a", "sample", run_id="r")
    items = evaluate_checklist(ReadinessInput(demo_doc, ("/fb/page/getInfo", "/fb/sending/sendFlow"), "sample",
                                              list(reversed(fires)), fires))
    report = build_report(AppProfile("Shop <b>", "42"), ("/fb/page/getInfo", "/fb/sending/sendFlow"), demo_doc,
                          items, target="sample", for_listing=False)
    texts = {"json": render_json(report), "md": render_markdown(report), "html": render_html(report)}
    assert json.loads(texts["json"])["console_version"] == __version__
    for name, text in texts.items():
        assert "A fresh key for the same page gets 200" in text, name
        assert "start your flows for your subscribers" in text, name  # installer-facing wording
        assert "{{app_token}}" in text, name  # the auth section
        assert "fire #" in text, name  # evidence
    assert "Shop &lt;b&gt;" in texts["html"] and "Shop <b>" not in texts["html"]
    # Scan: no key issued during the run appears in plain text in any format.
    fingerprints = {f.key_fingerprint for f in fires}
    assert len(fingerprints) >= 12
    for item in run:
        masked = item.result.key_masked
        assert masked.count("•") == 8
    for text in texts.values():
        for token in _hex_tokens(text):
            assert keys.fingerprint(token) not in fingerprints, "a plain App Key leaked into the report"


def _hex_tokens(text: str) -> list[str]:
    import re

    return re.findall(r"[0-9a-f]{64}", text)


def _rendered_text(markdown: str) -> tuple[str, set[str]]:
    """The text a Markdown viewer shows (CommonMark + tables), and the kinds of inline markup it made."""
    from markdown_it import MarkdownIt

    tokens = MarkdownIt("commonmark").enable("table").parse(markdown)
    texts, kinds = [], set()
    for token in tokens:
        for child in token.children or []:
            if child.type in ("text", "code_inline"):
                texts.append(child.content)
            elif child.type not in ("softbreak", "hardbreak"):
                kinds.add(child.type)
    return "\n".join(texts), kinds


def test_the_markdown_report_shows_its_text_as_written() -> None:
    from console.readiness import ChecklistItem

    hostile = "*not bold* [link](http://x) <b>tag</b> | pipe `code` &amp; ~~s~~ _u_"
    url = "http://127.0.0.1:8765/install/ok"
    items = [ChecklistItem("endpoint.https", "External dependencies are configured", "The endpoint is https://",
                           "fail", True, f"The URL fired at ({url}) is not https://. {hostile}")]
    report = build_report(AppProfile(hostile, "7654321", "1.0", "dev"), (), {"auth": None}, items,
                          target=url, for_listing=True)
    markdown = render_markdown(report)
    assert "1\\.0" not in markdown and "http\\:" not in markdown and "127\\.0" not in markdown
    text, kinds = _rendered_text(markdown)
    for value in ("1.0", "7654321", url, hostile, "The endpoint is https://"):
        assert value in text, value
    assert kinds <= {"strong_open", "strong_close"}, kinds  # only the report's own bold labels: no link, tag, em
