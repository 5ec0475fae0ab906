"""Activity lists sandbox installs and uninstalls with readable names and no literal "None" as evidence;
Home shows a reviewer's "changes requested" (who and the comment) while it is the latest decision."""

from __future__ import annotations

import copy
from typing import Any

from console.profile import AppProfile
from console.service import apps, team
from console.service import sandbox as sandbox_service
from console.store import Store
from tests.app.test_pages import no_exception, open_page


def test_activity_shows_sandbox_installs_and_no_none(db_url: str, store: Store, demo_doc: dict[str, Any]) -> None:
    doc = copy.deepcopy(demo_doc)
    del doc["auth"]["request"]  # manual delivery: nothing is fired
    app = apps.create_app(store, AppProfile("Sandboxed", "4343", "1.0", "dev"), doc, ["/fb/page/getInfo"])
    delivery = sandbox_service.install_app(store, app.id, "111222", actor="Ada")
    sandbox_service.uninstall_installation(store, delivery.installation.id, actor="Bob")
    at = open_page("pages/9_Activity.py", query={"app": str(app.id)})
    no_exception(at)
    table = at.dataframe[0].value
    assert {"sandbox install", "sandbox uninstall"} <= set(table["what"])
    assert "None" not in [str(value) for value in table["evidence"]]
    assert list(table[table["what"] == "sandbox uninstall"]["who"]) == ["Bob"]


def test_home_shows_the_latest_changes_requested(db_url: str, store: Store) -> None:
    app = apps.create_demo_app(store)
    team.sign_off(store, app, "changes_requested", "Use https for the install URL", "endpoint", True, actor="Ada")
    at = open_page(query={"app": str(app.id)})
    no_exception(at)
    assert any("Changes requested by Ada" in w.value for w in at.warning)
    assert any(t.value == "Use https for the install URL" for t in at.text)
