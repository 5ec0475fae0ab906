"""An app's settings as a frozen value: where it fires, the sample endpoint's mode, sample values, timeouts.

The defaults live here and nowhere else. ``AppSettings(...)`` and ``dataclasses.replace`` refuse an
unknown field (TypeError) and a value out of range (SettingsError, a ValueError naming the field).
The database keeps a plain dict: ``AppSettings.from_stored`` reads any stored dict (unknown or legacy
keys are ignored, a damaged value falls back to its default) and ``to_stored`` writes one.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from types import MappingProxyType
from typing import TypedDict

MAX_PAGE_ID = 20  # digits
MAX_TARGETS = 20
MAX_SAMPLE_ARG = 60
CONNECT_RANGE = (0.1, 60.0)  # seconds
TOTAL_RANGE = (0.1, 300.0)
TARGET_KINDS = ("sample", "endpoint")


class SettingsError(ValueError):
    """A setting out of range; the message names the field and the allowed values."""


@dataclass(frozen=True)
class SavedTarget:
    """A named URL to fire at (e.g. staging)."""

    name: str
    url: str


def _frozen(values: Mapping[str, str] | None = None) -> Mapping[str, str]:
    return MappingProxyType(dict(values or {}))


@dataclass(frozen=True)
class AppSettings:
    target: str = "endpoint"  # 'sample', 'endpoint' (auth.request.url) or 'saved:NAME'
    sample_mode: str = "ok"
    sample_arg: int | None = None
    sample_series: int = 0  # a changed sample mode starts a new series (flaky counts from 0)
    page_id: str = "100200300"
    param_values: Mapping[str, str] = field(default_factory=_frozen)
    connect_timeout: float = 5.0
    total_timeout: float = 10.0
    for_listing: bool = True
    sample_args: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
    targets: tuple[SavedTarget, ...] = ()
    checklist_target: str | None = None  # None: where Test fire fires
    action_target: str | None = None  # where rehearsals go; None: the sample endpoint when Test fire fires there
    action_modes: Mapping[str, str] = field(default_factory=_frozen)  # 'action:NAME' / 'source:NAME' -> mode

    def __post_init__(self) -> None:
        object.__setattr__(self, "param_values", _frozen({str(k): str(v) for k, v in self.param_values.items()}))
        object.__setattr__(self, "action_modes", _frozen({str(k): str(v) for k, v in self.action_modes.items()}))
        object.__setattr__(self, "sample_args", MappingProxyType(dict(self.sample_args)))
        object.__setattr__(self, "targets", tuple(self.targets))
        self._check()

    def _check(self) -> None:
        if not isinstance(self.target, str) or not (self.target in TARGET_KINDS or self.target.startswith("saved:")):
            raise SettingsError(f"target {self.target!r}: use 'sample', 'endpoint' or 'saved:NAME'.")
        if self.sample_arg is not None and not _int_in(self.sample_arg, 1, MAX_SAMPLE_ARG):
            raise SettingsError(f"sample_arg {self.sample_arg!r}: give a whole number from 1 to {MAX_SAMPLE_ARG}.")
        for mode, number in self.sample_args.items():
            if not _int_in(number, 1, MAX_SAMPLE_ARG):
                raise SettingsError(f"sample_args[{mode!r}] {number!r}: give a whole number from 1 to "
                                    f"{MAX_SAMPLE_ARG}.")
        if not _int_in(self.sample_series, 0, 2**31 - 1):
            raise SettingsError(f"sample_series {self.sample_series!r}: give a whole number from 0.")
        if not isinstance(self.page_id, str) or not self.page_id.isdigit() or len(self.page_id) > MAX_PAGE_ID:
            raise SettingsError(f"page_id {self.page_id!r}: give the page's numeric id (digits only, at most "
                                f"{MAX_PAGE_ID}), e.g. 100200300.")
        for name, (low, high) in (("connect_timeout", CONNECT_RANGE), ("total_timeout", TOTAL_RANGE)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float) or not (
                    math.isfinite(value) and low <= value <= high):
                raise SettingsError(f"{name} {value!r}: give a number of seconds from {low:g} to {high:g}.")
        if not isinstance(self.for_listing, bool):
            raise SettingsError(f"for_listing {self.for_listing!r}: give true or false.")
        if len(self.targets) > MAX_TARGETS or not all(isinstance(t, SavedTarget) for t in self.targets):
            raise SettingsError(f"targets: at most {MAX_TARGETS} saved targets, each a name and a URL.")
        if self.checklist_target is not None and self.checklist_target not in TARGET_KINDS:
            raise SettingsError(f"checklist_target {self.checklist_target!r}: use 'sample' or 'endpoint'.")
        if self.action_target is not None and self.action_target not in TARGET_KINDS:
            raise SettingsError(f"action_target {self.action_target!r}: use 'sample' or 'endpoint'.")

    @property
    def target_kind(self) -> str:
        """What the chosen target is, as fires record it: 'sample' (a rehearsal) or 'endpoint'."""
        return target_kind(self.target)

    @property
    def rehearsal_target(self) -> str:
        """Where action rehearsals go: 'sample' (the sample endpoint's action modes) or 'endpoint'."""
        return self.action_target or self.target_kind

    @property
    def checklist_kind(self) -> str:
        """The target the Checklist judges (where Test fire fires, until told otherwise)."""
        return self.checklist_target or self.target_kind

    def saved_url(self, name: str) -> str | None:
        return next((t.url for t in self.targets if t.name == name), None)

    @classmethod
    def from_stored(cls, stored: Mapping[str, object] | None) -> AppSettings:
        """The value of a stored dict: unknown keys ignored, each damaged value replaced by its default."""
        settings = cls()
        for item in fields(cls):
            if stored is None or item.name not in stored:
                continue
            try:
                settings = _with(settings, item.name, stored[item.name])
            except (SettingsError, TypeError, ValueError, AttributeError):
                continue
        return settings

    def to_stored(self) -> dict[str, object]:
        """The dict the database keeps (JSON-ready)."""
        return {"target": self.target, "sample_mode": self.sample_mode, "sample_arg": self.sample_arg,
                "sample_series": self.sample_series, "page_id": self.page_id,
                "param_values": dict(self.param_values), "connect_timeout": self.connect_timeout,
                "total_timeout": self.total_timeout, "for_listing": self.for_listing,
                "sample_args": dict(self.sample_args),
                "targets": [{"name": t.name, "url": t.url} for t in self.targets],
                **({} if self.checklist_target is None else {"checklist_target": self.checklist_target}),
                **({} if self.action_target is None else {"action_target": self.action_target}),
                **({"action_modes": dict(self.action_modes)} if self.action_modes else {})}


class SettingsChange(TypedDict, total=False):
    """The fields ``save_settings`` may change (each optional)."""

    target: str
    sample_mode: str
    sample_arg: int | None
    sample_series: int
    page_id: str
    param_values: Mapping[str, str]
    connect_timeout: float
    total_timeout: float
    for_listing: bool
    sample_args: Mapping[str, int]
    targets: tuple[SavedTarget, ...]
    checklist_target: str | None
    action_target: str | None
    action_modes: Mapping[str, str]


def target_kind(target: str) -> str:
    """What a target is, as fires record it: 'sample' (a rehearsal) or 'endpoint' (the developer's own)."""
    return "sample" if target == "sample" else "endpoint"


def _int_in(value: object, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def _with(settings: AppSettings, name: str, raw: object) -> AppSettings:
    """``settings`` with one stored value read into its field's type (raises on a damaged value)."""
    from dataclasses import replace

    value: object = raw
    if name in ("connect_timeout", "total_timeout"):
        value = float(raw)  # type: ignore[arg-type]
    elif name == "page_id":
        value = str(raw)
    elif name in ("sample_arg", "sample_series") and raw is not None:
        value = int(raw)  # type: ignore[call-overload]
    elif name in ("param_values", "sample_args", "action_modes"):
        if not isinstance(raw, Mapping):
            raise TypeError(name)
        value = {str(k): (int(v) if name == "sample_args" else str(v)) for k, v in raw.items()}
    elif name == "targets":
        if not isinstance(raw, list | tuple):
            raise TypeError(name)
        value = tuple(SavedTarget(str(t["name"]), str(t["url"])) for t in raw if isinstance(t, Mapping))
    elif name == "for_listing":
        value = bool(raw)
    return replace(settings, **{name: value})  # type: ignore[arg-type]
