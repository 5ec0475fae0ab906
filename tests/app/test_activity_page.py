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


def seed_log(store: Store, app_ref: int, app_name: str) -> None:
    """Ada's scopes change, the oldest entry, then 249 fires by the CLI, newest last (a second apart)."""
    from datetime import UTC, datetime, timedelta

    from console.store.schema import activity

    start = datetime.now(UTC) - timedelta(days=1)
    rows = [{"app_ref": app_ref, "app_name": app_name, "actor": "Ada" if n == 0 else "cli",
             "action": "scopes_changed" if n == 0 else "fire", "summary": f"entry {n}", "fire_id": None,
             "run_id": None, "signoff_id": None, "at": start + timedelta(seconds=n)} for n in range(250)]
    with store.engine.begin() as conn:
        conn.execute(activity.insert(), rows)


def details(at: Any) -> list[str]:
    return list(at.dataframe[0].value["detail"]) if at.dataframe else []


def test_the_log_pages_through_every_entry_newest_first(db_url: str, store: Store) -> None:
    app = apps.create_demo_app(store)
    seed_log(store, app.id, app.name)
    at = open_page("pages/9_Activity.py", query={"app": str(app.id)})
    no_exception(at)
    newest = details(at)
    assert len(newest) == 100 and newest[0] != "entry 0"
    assert at.button(key="activity_newer").disabled and not at.button(key="activity_older").disabled
    seen = list(newest)
    while not at.button(key="activity_older").disabled:
        at.button(key="activity_older").click().run()
        no_exception(at)
        seen += details(at)
    assert seen[-1] == "entry 0" and "(the oldest)" in " ".join(c.value for c in at.caption)
    assert len(seen) == len(set(seen)) and {f"entry {n}" for n in range(250)} <= set(seen)  # each once
    at.button(key="activity_newer").click().run()
    assert details(at) == seen[100:200]  # from the third page (entries 201-250) back to the second


def test_a_filter_reaches_the_whole_log_and_starts_from_the_newest(db_url: str, store: Store) -> None:
    app = apps.create_demo_app(store)
    seed_log(store, app.id, app.name)
    at = open_page("pages/9_Activity.py", query={"app": str(app.id)})
    at.button(key="activity_older").click().run()
    assert "page 2" in " ".join(c.value for c in at.caption)
    at.multiselect[0].set_value(["scopes_changed"]).run()  # What: scopes; only the oldest entry is one
    no_exception(at)
    assert details(at) == ["entry 0"] and "Newest first · 1 entry" in " ".join(c.value for c in at.caption)
    at.multiselect[0].set_value([]).run()
    at.multiselect[1].set_value(["Ada"]).run()  # Who: Ada, the oldest entry's author
    assert details(at) == ["entry 0"]
    assert "Ada" in at.multiselect[1].options and "cli" in at.multiselect[1].options


def test_anyone_in_the_log_can_be_found_and_each_app_keeps_its_own_choice(db_url: str, store: Store) -> None:
    app = apps.create_demo_app(store)
    seed_log(store, app.id, app.name)
    with store.engine.begin() as conn:  # 600 newer entries by the CLI: Ada is no longer among the newest 500
        from datetime import UTC, datetime

        from console.store.schema import activity
        conn.execute(activity.insert(), [{"app_ref": app.id, "app_name": app.name, "actor": "cli", "action": "fire",
                                          "summary": f"newer {n}", "at": datetime.now(UTC)} for n in range(600)])
    other = apps.create_app(store, AppProfile("Other", "4344", "1.0", "dev"), apps.create_demo_app(store).manifest,
                            ["/fb/page/getInfo"])
    at = open_page("pages/9_Activity.py", query={"app": str(app.id)})
    assert "Ada" not in at.multiselect[1].options
    at.multiselect[1].set_value(["Ada"]).run()  # typed: a name not listed
    no_exception(at)
    assert details(at) == ["entry 0"]
    at.query_params["app"] = str(other.id)
    at.run()
    no_exception(at)
    assert at.multiselect[1].value == [] and details(at)  # the other app: everyone, its own entries


def test_a_page_whose_entries_are_gone_shows_the_newest(db_url: str, store: Store) -> None:
    app = apps.create_demo_app(store)
    seed_log(store, app.id, app.name)
    at = open_page("pages/9_Activity.py", query={"app": str(app.id)})
    at.button(key="activity_older").click().run()
    at.button(key="activity_older").click().run()
    assert "page 3" in " ".join(c.value for c in at.caption)
    from console.store.schema import activity
    with store.engine.begin() as conn:
        conn.execute(activity.delete().where(activity.c.summary != "entry 249"))
    at.run()
    no_exception(at)
    assert details(at) == ["entry 249"] and "Newest first · 1 entry" in " ".join(c.value for c in at.caption)
