"""A comment posted on a checklist item stays in view: the item's comments stay open though their label
changes ("(1 open)"), and the typed box is emptied only when the comment is stored."""

from __future__ import annotations

from console.service import apps, conversation
from console.store import Store
from tests.app.test_pages import no_exception, open_page


def test_a_posted_comment_stays_in_view(db_url: str, store: Store) -> None:
    app = apps.create_demo_app(store)
    page = open_page("pages/5_Checklist.py", query={"app": str(app.id)})
    no_exception(page)
    box = next(t for t in page.text_area if str(t.key).startswith(f"comment_{app.id}_"))
    item = str(box.key).removeprefix(f"comment_{app.id}_")
    expander = next(e for e in page.expander if e.label.startswith("Comments on "))
    assert not expander.proto.expanded  # folded until someone opens it or comments
    box.set_value("Evidence is from the old URL")
    page.button(key=f"{box.key}_send").click().run()
    no_exception(page)
    assert [t.first.body for t in conversation.threads(store, app.id, item)] == ["Evidence is from the old URL"]
    opened = [e for e in page.expander if "(1 open)" in e.label]
    assert len(opened) == 1 and opened[0].proto.expanded  # open, with the new comment in it
    assert "Evidence is from the old URL" in " ".join(t.value for t in opened[0].text)
    assert page.text_area(key=str(box.key)).value == ""
