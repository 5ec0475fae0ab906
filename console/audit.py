"""The audit log's export: every entry (no cap) as CSV or JSON, with its field-level detail.

CSV cells that a spreadsheet would run as a formula (=, +, -, @, tab, CR) are prefixed with a
quote, so an exported App JSON value can never execute in the reader's spreadsheet.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from console.store.audit_log import AuditEntry

FORMATS = ("csv", "json")
COLUMNS = ("id", "at", "actor", "action", "app_id", "app_name", "summary", "fire_id", "run_id", "signoff_id",
           "detail")
# every kind of entry the console writes, for the filter's choices
KINDS = ("app_created", "app_deleted", "profile_changed", "app_json_changed", "scopes_changed", "settings_changed",
         "fire", "cli_fires", "conformance_run", "burst", "signoff", "comment", "comment_resolved",
         "person_invited", "person_revoked", "role_changed", "signed_in", "shared_token", "console_setting")


def as_dict(entry: AuditEntry) -> dict[str, Any]:
    return {"id": entry.id, "at": entry.at.isoformat(), "actor": entry.actor, "action": entry.action,
            "app_id": entry.app_ref, "app_name": entry.app_name, "summary": entry.summary,
            "fire_id": entry.fire_id, "run_id": entry.run_id, "signoff_id": entry.signoff_id,
            "detail": entry.detail}


def _cell(value: Any) -> str:
    if value is None:
        return ""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_lines(entries: Iterable[AuditEntry]) -> Iterator[str]:
    """The CSV text, a line at a time (header first)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for entry in entries:
        row = as_dict(entry)
        writer.writerow([_cell(row[column]) for column in COLUMNS])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    if buffer.getvalue():
        yield buffer.getvalue()


def json_lines(entries: Iterable[AuditEntry]) -> Iterator[str]:
    """One JSON document ``{"entries": [...]}``, a piece at a time."""
    yield '{"entries": ['
    first = True
    for entry in entries:
        yield ("" if first else ",") + "\n" + json.dumps(as_dict(entry), ensure_ascii=False, sort_keys=True)
        first = False
    yield "\n]}\n"


def export(entries: Iterable[AuditEntry], fmt: str) -> Iterator[str]:
    if fmt not in FORMATS:
        raise ValueError(f"Unknown format {fmt!r}: use csv or json.")
    return csv_lines(entries) if fmt == "csv" else json_lines(entries)


def parse_since(text: str, now: datetime | None = None) -> datetime:
    """'2026-11-30', '2026-11-30T08:00' (UTC unless an offset is given), or a span back from now: '7d', '12h',
    '30m'. ValueError with what was expected."""
    text = text.strip()
    now = now or datetime.now(UTC)
    units = {"d": "days", "h": "hours", "m": "minutes"}
    if text[-1:].lower() in units and text[:-1].isdigit():
        return now - timedelta(**{units[text[-1].lower()]: int(text[:-1])})
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"--since {text!r}: give a date (2026-11-30), a UTC time (2026-11-30T08:00) "
                         "or a span back from now (7d, 12h, 30m).") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
