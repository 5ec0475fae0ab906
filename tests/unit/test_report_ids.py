"""The readiness report (JSON, Markdown, HTML) shows each item's check ID, its review criterion and its proof."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from console.profile import AppProfile
from console.readiness import CONFIGURED, FAIL, ChecklistItem, Evidence, ReadinessInput, evaluate_checklist
from console.report import build_report, render_html, render_markdown
from tests.conftest import ROOT


def test_report_shows_ids_criteria_and_proof() -> None:
    manifest = json.loads((ROOT / "tests" / "corpus" / "quickstart_server_side.json").read_text("utf-8"))
    items = evaluate_checklist(ReadinessInput(manifest=manifest, scopes=(), target_kind="endpoint", recent_fires=[],
                                              conformance=[], for_listing=True, scopes_known=False))
    proof = "scan of https://example.com/i: GET → HTTP 200; no Strict-Transport-Security header"
    items.append(ChecklistItem("scan.hsts", CONFIGURED, "The endpoint sends Strict-Transport-Security", FAIL, False,
                               "No Strict-Transport-Security header.",
                               (Evidence("scan", "https://example.com/i", proof, datetime.now(UTC)),)))
    report = build_report(AppProfile("demo", "1", "1"), (), manifest, items, target="https://example.com/i",
                          for_listing=True)
    rows = {row["id"]: row for row in report["checklist"]}
    assert rows["fire.latest_200"]["criterion"] == "The app can be installed via its installation link"
    markdown, html = render_markdown(report), render_html(report)
    assert "| Check ID |" in markdown and "`fire.latest_200`" in markdown and "`scan.hsts`" in markdown
    assert "<code>conformance.recover</code>" in html and "<th>Proof</th>" in html
    assert "no Strict\\-Transport\\-Security header" in markdown or "no Strict-Transport-Security header" in markdown
    assert "no Strict-Transport-Security header" in html
