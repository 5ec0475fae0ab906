"""An app's settings are a frozen value: unknown fields and values out of range are refused, old
stored dicts still load, and the service saves only typed changes."""

from __future__ import annotations

import dataclasses

import pytest

from console import service
from console.profile import AppProfile
from console.service import apps
from console.settings import AppSettings, SavedTarget, SettingsError
from console.store import Store


def test_an_unknown_field_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        AppSettings(total_timout=3.0)  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        dataclasses.replace(AppSettings(), total_timout=3.0)  # type: ignore[call-arg]


@pytest.mark.parametrize(("field", "value", "named"), [
    ("total_timeout", "soon", "total_timeout"), ("total_timeout", 0.0, "total_timeout"),
    ("connect_timeout", float("nan"), "connect_timeout"), ("total_timeout", 301.0, "total_timeout"),
    ("sample_arg", 0, "sample_arg"), ("sample_arg", 61, "sample_arg"), ("page_id", "12ab", "page_id"),
    ("page_id", "1" * 21, "page_id"), ("target", "nowhere", "target"), ("checklist_target", "saved:x", "checklist"),
    ("sample_args", {"slow": 99}, "sample_args"), ("for_listing", "yes", "for_listing"),
])
def test_a_value_out_of_range_is_refused_naming_the_field(field: str, value: object, named: str) -> None:
    with pytest.raises(SettingsError, match=named):
        dataclasses.replace(AppSettings(), **{field: value})  # type: ignore[arg-type]


def test_the_defaults_are_written_once_and_round_trip() -> None:
    settings = AppSettings()
    assert (settings.target, settings.connect_timeout, settings.total_timeout, settings.page_id) == \
        ("endpoint", 5.0, 10.0, "100200300")
    changed = dataclasses.replace(settings, targets=(SavedTarget("staging", "https://s.example/i"),),
                                  param_values={"workspace": "acme"}, sample_args={"slow": 3})
    assert AppSettings.from_stored(changed.to_stored()) == changed


def test_old_stored_dicts_with_unknown_or_damaged_keys_still_load() -> None:
    stored = {"target": "sample", "legacy_flag": True, "total_timeout": "oops", "connect_timeout": 2,
              "page_id": 42, "targets": [{"name": "x", "url": "http://x.example/"}, "junk"], "sample_arg": None}
    settings = AppSettings.from_stored(stored)
    assert settings.target == "sample" and settings.total_timeout == 10.0 and settings.connect_timeout == 2.0
    assert settings.page_id == "42" and settings.targets == (SavedTarget("x", "http://x.example/"),)
    assert AppSettings.from_stored(None) == AppSettings()


def test_save_settings_refuses_a_bad_value_and_changes_nothing(store: Store) -> None:
    app = apps.create_app(store, AppProfile("Shop", "42"))
    with pytest.raises(service.ServiceError, match="total_timeout"):
        apps.save_settings(store, app.id, total_timeout=0.0)
    with pytest.raises(TypeError):
        apps.save_settings(store, app.id, total_timout=3.0)  # type: ignore[call-arg]
    assert service.settings_of(service.must_get(store, app.id)) == AppSettings()
    saved = apps.save_settings(store, app.id, total_timeout=20.0, actor="Ada")
    assert service.settings_of(saved).total_timeout == 20.0
