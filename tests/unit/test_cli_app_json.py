"""`validate` over the whole document, `validate --strip-comments`, `--scope`, and `diff A B`."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import ROOT
from tests.unit.test_cli import run

CORPUS = ROOT / "tests" / "corpus"
QUICKSTART = str(CORPUS / "quickstart_server_side.json")
COMMENTED = """{
  "auth": null,
  "actions": [ // ManyChat's snippets carry comments
    {"name": "find", "title": "Find", "requests": [{"url": "https://example.com/[[y]]", "method": "FETCH",
      "headers": ["no colon"]}]},
    {"name": "find", "title": "Again", "requests": []}
  ],
  "triggers": [{"title": "no name"}]
}
"""


def _db(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'console.db'}"


def test_validate_covers_actions_and_triggers(tmp_path: Path) -> None:
    path = tmp_path / "app.json"
    path.write_text(COMMENTED.replace("// ManyChat's snippets carry comments", ""))
    out = run("validate", str(path), "--json", env_db=_db(tmp_path))
    assert out.returncode == 1
    found = {(i["pointer"], i["code"]) for i in json.loads(out.stdout)["issues"] if i["severity"] == "error"}
    assert found == {("/actions/0/requests/0/method", "method.invalid"),
                     ("/actions/0/requests/0/headers/0", "header.malformed"),
                     ("/actions/0/requests/0/url", "template.unknown"),
                     ("/actions/1/name", "actions.duplicate"),
                     ("/triggers/0", "schema.required")}


def test_comments_are_refused_with_their_line_unless_stripped(tmp_path: Path) -> None:
    path = tmp_path / "app.json"
    path.write_text(COMMENTED)
    refused = run("validate", str(path), env_db=_db(tmp_path))
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    assert "line 3, column 16" in refused.stderr and "--strip-comments" in refused.stderr
    stripped = run("validate", str(path), "--strip-comments", "--json", env_db=_db(tmp_path))
    assert stripped.returncode == 1
    first = json.loads(stripped.stdout)["issues"][0]
    assert (first["pointer"], first["code"], first["severity"]) == ("", "json.comments", "warning")
    assert "line 3, column 16" in first["message"]
    human = run("validate", str(path), "--strip-comments", env_db=_db(tmp_path))
    assert "json.comments" in human.stdout and "line 3, column 16" in human.stdout


def test_a_fragment_is_named_for_what_it_is(tmp_path: Path) -> None:
    path = tmp_path / "fragment.json"
    path.write_text('"request": {"url": "https://example.com/i", "method": "POST"},\n')
    out = run("validate", str(path), env_db=_db(tmp_path))
    assert out.returncode == 2 and 'bare "request" fragment' in out.stderr


def test_validate_with_scopes(tmp_path: Path) -> None:
    out = run("validate", QUICKSTART, "--json", "--scope", "/fb/page/getInfo", env_db=_db(tmp_path))
    assert out.returncode == 1
    codes = [(i["pointer"], i["code"]) for i in json.loads(out.stdout)["issues"]]
    assert codes == [("/actions/1/requests/0/url", "scopes.missing"), ("", "scopes.unused")]
    ok = run("validate", QUICKSTART, "--scope", "/fb/subscriber/addTagByName", env_db=_db(tmp_path))
    assert ok.returncode == 0
    bad = run("validate", QUICKSTART, "--scope", "/fb/nope", env_db=_db(tmp_path))
    assert bad.returncode == 2 and "/fb/nope" in bad.stderr


def test_diff_two_files(tmp_path: Path) -> None:
    old = json.loads(Path(QUICKSTART).read_text("utf-8"))
    new = json.loads(json.dumps(old, sort_keys=True))
    new["actions"][0]["requests"][0]["url"] = "https://example.com/manychat/ask/v2"
    del new["triggers"]
    (tmp_path / "a.json").write_text(json.dumps(old))
    (tmp_path / "b.json").write_text(json.dumps(new))
    out = run("diff", str(tmp_path / "a.json"), str(tmp_path / "b.json"), "--json", env_db=_db(tmp_path))
    assert out.returncode == 1
    body = json.loads(out.stdout)
    assert body["same"] is False
    assert [(c["op"], c["pointer"]) for c in body["changes"]] == [
        ("changed", "/actions/0/requests/0/url"), ("removed", "/triggers")]
    assert body["changes"][0]["new"] == "https://example.com/manychat/ask/v2"
    human = run("diff", str(tmp_path / "a.json"), str(tmp_path / "b.json"), env_db=_db(tmp_path))
    assert "~ /actions/0/requests/0/url" in human.stdout and "2 change(s)" in human.stdout
    same = run("diff", QUICKSTART, str(tmp_path / "a.json"), "--json", env_db=_db(tmp_path))
    assert same.returncode == 0 and json.loads(same.stdout) == {"same": True, "changes": []}
    missing = run("diff", QUICKSTART, str(tmp_path / "nope.json"), env_db=_db(tmp_path))
    assert missing.returncode == 2 and "no such file" in missing.stderr
