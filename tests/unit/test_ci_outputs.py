"""CI outputs of validate and check, parsed by what reads them: JUnit (junitparser), SARIF 2.1.0 (its official
JSON schema, vendored from OASIS's errata01 publication as tests/fixtures/sarif-schema-2.1.0.json), GitHub
workflow commands (their grammar); findings located at the right line and column of the file."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from junitparser import Failure, JUnitXml, Skipped

from console import keys
from console.sandbox.sample_endpoint import SampleEndpoint
from tests.conftest import ROOT
from tests.unit.test_cli import DEMO, run

SARIF_SCHEMA = json.loads((ROOT / "tests" / "fixtures" / "sarif-schema-2.1.0.json").read_text("utf-8"))
# The App JSON below puts findings on known lines: a key with an escape, a duplicate key, a comment.
BROKEN = """// pasted from ManyChat's help
{
  "auth": {"type": "APIKEY", "params": [],
    "request": {
      "url": "http://example.com/i",  /* plain http: a warning */
      "method": "POST",
      "headers": ["not a header"],
      "payload": {"k": "{{app_token}}"}}},
  "actions": [{"name": "a", "title": "A", "description": "d", "forms": [],
    "requests": [{"method": "GET", "u\\u0072l": "https://x.io/first",
                  "url": "https://x.io/[[nope]]"}]}]
}
"""
# pointer → (line, column) of the key as written (column in characters, from 1)
EXPECTED = {"/auth/request/url": (5, 7), "/auth/request/headers/0": (7, 19), "/actions/0/requests/0/url": (11, 19)}
ANNOTATION = re.compile(r"^::(error|warning|notice) file=(?P<file>[^,:]+),line=(?P<line>\d+),col=(?P<col>\d+),"
                        r"title=(?P<title>[^,:]*)::(?P<msg>[^\r\n]*)$")


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    path = tmp_path / "broken.json"
    path.write_text(BROKEN, encoding="utf-8")
    return path


def test_locator_follows_the_file_as_written() -> None:
    from console.formats.locate import Locator

    locator = Locator(BROKEN)
    for pointer, (line, col) in EXPECTED.items():
        position = locator.locate(pointer)
        assert (position.line, position.column) == (line, col), pointer
        key = pointer.rsplit("/", 1)[1]
        text_line = BROKEN.splitlines()[line - 1]
        assert text_line[col - 1:].startswith(f'"{key}"') or key.isdigit()
    assert locator.locate("/actions/0/forms/3/name").line == 9  # absent: its nearest ancestor (forms)
    assert (locator.locate("").line, locator.locate("").column) == (2, 1)  # past the comment


def test_validate_junit_parsed_by_junitparser(sqlite_url: str, broken: Path, tmp_path: Path) -> None:
    out = run("validate", str(broken), "--strip-comments", "--format", f"junit={tmp_path / 'r.xml'}",
              env_db=sqlite_url)
    assert out.returncode == 1 and "INVALID" in out.stdout  # the text output stays on stdout
    suites = list(JUnitXml.fromfile(str(tmp_path / "r.xml")))
    cases = {case.name: case for suite in suites for case in suite}
    failure = cases["header.malformed at /auth/request/headers/0"].result
    assert isinstance(failure[0], Failure) and "not a header" in failure[0].message
    assert "review criterion:" in failure[0].text and "/auth/request/headers/0" in failure[0].text
    assert isinstance(cases["url.insecure at /auth/request/url"].result[0], Skipped)  # a warning at --fail-on error
    assert suites[0].failures == 2 and suites[0].tests == len(cases)
    strict = run("validate", str(broken), "--strip-comments", "--format", "junit", "--fail-on", "warning",
                 env_db=sqlite_url)
    strict_cases = {c.name: c for s in JUnitXml.fromstring(strict.stdout.encode()) for c in s}
    assert isinstance(strict_cases["url.insecure at /auth/request/url"].result[0], Failure)
    never = run("validate", str(broken), "--strip-comments", "--fail-on", "never", env_db=sqlite_url)
    assert never.returncode == 0 and "INVALID" in never.stdout


def test_sarif_is_valid_and_on_the_line(sqlite_url: str, broken: Path, tmp_path: Path) -> None:
    target = tmp_path / "out" / "r.sarif"
    out = run("validate", str(broken), "--strip-comments", "--format", "sarif", "--output", str(target),
              env_db=sqlite_url)
    assert out.returncode == 1
    sarif = json.loads(target.read_text("utf-8"))
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(sarif)
    run_ = sarif["runs"][0]
    rules = [rule["id"] for rule in run_["tool"]["driver"]["rules"]]
    assert len(rules) == len(set(rules)) and "header.malformed" in rules
    located = {}
    for result in run_["results"]:
        assert rules[result["ruleIndex"]] == result["ruleId"]
        region = result["locations"][0]["physicalLocation"]["region"]
        located[result["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]] = \
            (region["startLine"], region["startColumn"])
    for pointer, position in EXPECTED.items():
        assert located[pointer] == position


def test_github_annotations_follow_the_grammar(sqlite_url: str, broken: Path) -> None:
    out = run("validate", str(broken), "--strip-comments", "--format", "github", env_db=sqlite_url)
    lines = out.stdout.splitlines()
    assert lines and out.returncode == 1
    parsed = [ANNOTATION.match(line) for line in lines]
    assert all(parsed), [line for line, m in zip(lines, parsed, strict=True) if not m]
    by_title = {m["title"].split("%3A")[0]: m for m in parsed if m}
    header = by_title["header.malformed"]
    assert (int(header["line"]), int(header["col"])) == EXPECTED["/auth/request/headers/0"]
    assert header.group(1) == "error" and by_title["url.insecure"].group(1) == "warning"
    assert "%3A" in header["title"]  # ':' inside a property is escaped


def test_annotation_escaping() -> None:
    from console.checks.results import CheckResult, CheckRun
    from console.formats import github

    run_ = CheckRun("validate", "a,b:c.json", (CheckResult("x.y", "T: 1, 2", "error", "error", "50%\r\nnext", "/a"),))
    line = github.render(run_, "a,b:c.json", None).rstrip("\n")
    assert line == "::error file=a%2Cb%3Ac.json,line=1,title=x.y%3A T%3A 1%2C 2::50%25%0D%0Anext (/a)"


def test_output_options_are_checked_first(sqlite_url: str, broken: Path) -> None:
    for args, words in ((["--format", "yaml"], "unknown format"), (["--format", "json", "--format", "junit"],
                        "only one format"), (["--output", "x.xml"], "--output FILE needs")):
        out = run("validate", str(broken), "--strip-comments", *args, env_db=sqlite_url)
        assert out.returncode == 2 and words in out.stderr and "Traceback" not in out.stderr


def test_check_junit_carries_the_fires_with_the_key_masked(sqlite_url: str, sample: SampleEndpoint,
                                                          tmp_path: Path) -> None:
    report = tmp_path / "check.xml"
    out = run("check", DEMO, "--url", sample.install_url("ok"), "--format", f"junit={report}", "--format", "json",
              env_db=sqlite_url)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["ready"] is True  # json on stdout, junit in the file
    cases = {case.name: case for suite in JUnitXml.fromfile(str(report)) for case in suite}
    retry = cases["conformance.retry"]
    assert retry.is_passed and "> POST " in retry.system_out and "< HTTP 200" in retry.system_out
    text = report.read_text("utf-8")
    assert "••••••••" in retry.system_out  # the key as stored: masked
    assert not re.search("[0-9a-f]{" + str(2 * keys.KEY_BYTES) + "}", text)  # never a whole key


def test_check_sarif_and_text_show_check_ids(sqlite_url: str, sample: SampleEndpoint) -> None:
    out = run("check", DEMO, "--url", sample.install_url("500"), "--format", "sarif", env_db=sqlite_url)
    assert out.returncode == 1
    sarif = json.loads(out.stdout)
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(sarif)
    assert "fire.latest_200" in {r["ruleId"] for r in sarif["runs"][0]["results"]}
    text = run("check", DEMO, "--url", sample.install_url("500"), env_db=sqlite_url)
    assert "fire.latest_200: The latest fire returned 200" in text.stdout and "NOT READY" in text.stdout


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(alphabet="ab/~\"\\é\u2028 ", max_size=4), children, max_size=4),
    max_leaves=20)


def _pointers(value: object, pointer: str = "") -> list[tuple[str, object]]:
    from console.templating import escape_pointer

    found: list[tuple[str, object]] = [(pointer, value)]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _pointers(item, f"{pointer}/{escape_pointer(key)}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _pointers(item, f"{pointer}/{index}")
    return found


@settings(max_examples=150, deadline=None)
@given(json_values, st.sampled_from([None, 2]), st.booleans())
def test_locator_finds_every_pointer_of_any_document(value: object, indent: int | None, ascii_only: bool) -> None:
    from console.formats.locate import Locator

    text = json.dumps(value, indent=indent, ensure_ascii=ascii_only)
    locator = Locator(text)
    lines = text.split("\n")
    for pointer, item in _pointers(value):
        assert locator.exact(pointer), pointer
        position = locator.locate(pointer)
        rest = lines[position.line - 1][position.column - 1:]
        if pointer and not pointer.rsplit("/", 1)[1].isdigit():
            key = json.loads(rest[:rest.index('":') + 1]) if '":' in rest else None
            assert key is not None
        else:
            assert rest.startswith(json.dumps(item, ensure_ascii=ascii_only)[:1])


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=200))
def test_locator_never_fails_on_any_text(text: str) -> None:
    from console.formats.locate import Locator

    position = Locator(text).locate("/a/0/b")
    assert position.line >= 1 and position.column >= 1


def test_locator_on_deep_and_large_files() -> None:
    from console.formats.locate import Locator

    deep = "[" * 5000 + "]" * 5000
    assert Locator(deep).locate("/0/0").line == 1  # stops at its depth limit, never a RecursionError
    big = json.dumps({"actions": [{"name": f"a{i}", "title": "t" * 50} for i in range(8000)]}, indent=2)
    start = time.monotonic()
    first_title = big.split("\n").index('      "title": "' + "t" * 50 + '"') + 1
    assert Locator(big).locate("/actions/7999/title").line == first_title + 4 * 7999
    assert time.monotonic() - start < 5


def test_junit_survives_what_an_endpoint_sends() -> None:
    from console.checks.results import CheckResult, CheckRun
    from console.formats import junit

    hostile = "bell\x07 nul\x00 esc\x1b]0;x\x07 </system-out><![CDATA[ ]]> \ud800 & \U0001f600"
    run_ = CheckRun("check", "app.json", (CheckResult("fire.latest_200", hostile, "error", "fail", hostile,
                                                      proof=hostile),))
    suites = list(JUnitXml.fromstring(junit.render(run_).encode("utf-8")))
    case = next(iter(suites[0]))
    assert "</system-out>" in case.system_out and "\\u0000" in case.system_out and "\U0001f600" in case.system_out
    assert isinstance(case.result[0], Failure)
