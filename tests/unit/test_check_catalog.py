"""The check catalogue: every ID the checklist and the validator produce is in it, and the README's table is
generated from it."""

from __future__ import annotations

import json
import re
from pathlib import Path

from console.checks.catalog import CHECKS, CRITERIA, KINDS, SEVERITIES, get_check, markdown_table
from console.readiness import ReadinessInput, evaluate_checklist
from console.sandbox.usage import LeastPrivilege
from tests.conftest import ROOT

CORPUS = ROOT / "tests" / "corpus"
# A finding code as the code writes it: the code argument of ValidationIssue(…) or Rule(…).
CODE = re.compile(r'(?:ValidationIssue\(\s*[^,]+,\s*"(?:error|warning|info)",\s*|Rule\(\s*|_issue\([^)]*?)'
                  r'"([a-z_]+\.[a-z_]+)"', re.S)


def _checklist_ids() -> set[str]:
    ids = set()
    manifest = json.loads((CORPUS / "quickstart_server_side.json").read_text("utf-8"))
    for for_listing in (False, True):
        for scopes in ((), ("/fb/page/getInfo",), ("/fb/sending/sendContent",)):
            usage = LeastPrivilege(granted=scopes, used={}, unused=scopes, missing={}, calls=0)
            items = evaluate_checklist(ReadinessInput(manifest=manifest, scopes=scopes, target_kind="endpoint",
                                                      recent_fires=[], conformance=[], for_listing=for_listing,
                                                      sandbox=usage))
            ids |= {item.id for item in items}
    return ids


def test_every_checklist_item_is_in_the_catalogue() -> None:
    ids = _checklist_ids()
    assert {"fire.latest_200", "conformance.recover", "scopes.sandbox_unused"} <= ids  # stable IDs stay
    assert not [i for i in ids if get_check(i) is None], "add new checklist items to console/checks/catalog.py"


def test_every_finding_code_in_the_source_is_in_the_catalogue() -> None:
    sources = [*sorted((ROOT / "console" / "manifest").glob("*.py")), *sorted((ROOT / "console" / "cli").glob("*.py"))]
    codes = {code for path in sources for code in CODE.findall(path.read_text("utf-8"))}
    assert {"header.malformed", "json.duplicate_key", "template.unknown", "json.comments"} <= codes  # the regex works
    missing = sorted(c for c in codes if get_check(c) is None)
    assert not missing, f"add these finding codes to console/checks/catalog.py: {missing}"


def test_scan_and_compat_ids_are_in_the_catalogue() -> None:
    from console.scan.endpoint import TITLES

    for check_id in [*TITLES, "compat.breaking", "compat.review"]:
        check = get_check(check_id)
        assert check is not None and check.title


def test_catalogue_entries_are_well_formed() -> None:
    ids = [c.id for c in CHECKS]
    assert len(ids) == len(set(ids))
    for check in CHECKS:
        assert re.fullmatch(r"[a-z_]+\.[a-z_0-9A-Z]+", check.id), check.id
        assert check.kind in KINDS and check.severity in SEVERITIES and check.criterion in CRITERIA
        assert check.required in ("always", "for-listing", "never")
    assert get_check("schema.maxItems") is not None and get_check("nope.nothing") is None


def test_readme_table_is_generated_from_the_catalogue() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    table = re.search(r"<!-- checks:begin -->\n(.*?)<!-- checks:end -->", readme, re.S)
    assert table is not None and table.group(1) == markdown_table(), \
        "regenerate the README table: python -c 'from console.checks.catalog import markdown_table; " \
        "print(markdown_table())'"


def test_readme_names_every_format() -> None:
    from console.formats.output import FORMATS

    readme = Path(ROOT / "README.md").read_text("utf-8")
    assert all(f"| `{fmt}` |" in readme for fmt in FORMATS)


def test_every_readiness_item_has_its_review_criterion() -> None:
    """Required-ness and titles come from the readiness model; the catalogue adds each item's criterion."""
    from console.checks.catalog import _CHECKLIST_CRITERIA
    from console.readiness import MODEL

    assert set(_CHECKLIST_CRITERIA) == set(MODEL), "give each readiness item a review criterion in the catalogue"
