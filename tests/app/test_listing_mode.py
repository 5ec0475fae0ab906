""""For an App Store listing" is the choice of the person looking (the Checklist's toggle, this session and
its URL ?listing=), never stored on the app: one reviewer unticking it leaves a colleague's Home as it was."""

from __future__ import annotations

import pytest

from console import service
from console.cli import main
from console.service import apps
from console.store import Store
from tests.app.test_pages import no_exception, open_page, page_text


def test_the_mode_is_the_sessions_choice(db_url: str, store: Store) -> None:
    app = apps.create_demo_app(store)
    assert service.settings_of(app).for_listing  # the demo's default: for a listing
    mine = open_page("pages/5_Checklist.py", query={"app": str(app.id)})
    no_exception(mine)
    mine.toggle(key=f"for_listing_{app.id}").set_value(False).run()
    no_exception(mine)
    assert mine.query_params["listing"] in ("0", ["0"])
    assert service.settings_of(apps.must_get(store, app.id)).for_listing  # the app's default is unchanged
    mine.switch_page("Home.py").run()
    assert "Not ready: 4 required item(s) not yet run" in page_text(mine)  # Home follows this session's choice

    colleague = open_page(query={"app": str(app.id)})  # another session: the app's default, for a listing
    assert "Not ready for a listing: 8 required item(s) not yet run" in page_text(colleague)
    linked = open_page("pages/5_Checklist.py", query={"app": str(app.id), "listing": "0"})  # the link keeps it
    assert linked.toggle(key=f"for_listing_{app.id}").value is False


def test_the_cli_flag_chooses_the_mode_of_check_app(db_url: str, store: Store,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    app = apps.create_demo_app(store)
    main(["check", "--app", str(app.id)])  # the app's default: for a listing
    assert "8 required item(s) not yet run" in capsys.readouterr().out
    main(["check", "--app", str(app.id), "--no-for-listing"])
    assert "4 required item(s) not yet run" in capsys.readouterr().out
