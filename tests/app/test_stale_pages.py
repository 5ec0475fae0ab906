"""A page open since before another session's save does not put the old value back on its next run."""

from __future__ import annotations

from console import service
from console.service import apps
from console.store import Store
from tests.app.test_pages import no_exception, open_page


def test_test_fire_keeps_a_page_id_changed_elsewhere(db_url: str, store: Store) -> None:
    app = apps.create_demo_app(store)
    mine = open_page("pages/4_Test_fire.py", query={"app": str(app.id)})
    no_exception(mine)
    apps.save_settings(store, app.id, actor="bob", page_id="999")  # another session, after this page was drawn
    mine.run()
    no_exception(mine)
    assert service.settings_of(apps.must_get(store, app.id)).page_id == "999"
    assert mine.text_input(key=f"page_id_{app.id}_1").value == "999"  # the field shows bob's value now


def test_test_fire_keeps_a_target_chosen_elsewhere(db_url: str, store: Store) -> None:
    app = apps.create_demo_app(store)
    mine = open_page("pages/4_Test_fire.py", query={"app": str(app.id)})
    before = service.settings_of(app).target
    other = "endpoint" if before == "sample" else "sample"
    apps.save_settings(store, app.id, actor="bob", target=other)  # another session chose another target
    mine.run()
    no_exception(mine)
    assert service.settings_of(apps.must_get(store, app.id)).target == other  # not put back to the old one
    assert [r for r in mine.radio if r.label == "Target"][0].value == other
