"""Read actions, their form fields and the app's sources out of an App JSON document (any shape)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from console.fire.prepare import sample_value
from console.manifest.calls import sources_of
from console.manifest.document import as_dict, as_list

FIELD_TYPES = ("string", "number", "boolean", "date", "datetime")


@dataclass(frozen=True)
class FormField:
    name: str
    type: str
    title: str
    default: str | None  # as text (None: no default, the field is required)
    source: str | None


@dataclass(frozen=True)
class ActionView:
    index: int
    pointer: str
    name: str
    title: str
    description: str
    guidance: str
    fields: tuple[FormField, ...]
    requests: int
    outputs: tuple[str, ...]


def text_of(value: Any) -> str:
    """A JSON value as plain text (strings as they are, others as JSON)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    import json

    return json.dumps(value, ensure_ascii=False)


def form_fields(action: dict[str, Any]) -> tuple[FormField, ...]:
    fields = []
    for item in as_list(action.get("forms")):
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            continue
        default = item.get("default")
        source = item.get("source")
        fields.append(FormField(item["name"], text_of(item.get("type")) or "string", text_of(item.get("title")),
                                None if default is None else text_of(default),
                                source if isinstance(source, str) else None))
    return tuple(fields)


def action_views(document: dict[str, Any]) -> list[ActionView]:
    """Every action object of the document, in order."""
    views = []
    for index, action in enumerate(as_list(document.get("actions"))):
        if not isinstance(action, dict):
            continue
        outputs = tuple(str(row.get("name")) for request in as_list(action.get("requests"))
                        for row in as_list(as_dict(request).get("mapping")) if isinstance(row, dict))
        views.append(ActionView(index, f"/actions/{index}", text_of(action.get("name")), text_of(action.get("title")),
                                text_of(action.get("description")), text_of(action.get("guidance")),
                                form_fields(action), len(as_list(action.get("requests"))), outputs))
    return views


def find_action(document: dict[str, Any], name: str) -> tuple[int, dict[str, Any]] | None:
    for index, action in enumerate(as_list(document.get("actions"))):
        if isinstance(action, dict) and action.get("name") == name:
            return index, action
    return None


def find_source(document: dict[str, Any], name: str) -> tuple[str, dict[str, Any]] | None:
    for pointer, source_name, source in sources_of(document):
        if source_name == name and isinstance(source, dict):
            return pointer, source
    return None


def rpc_sources(document: dict[str, Any]) -> list[str]:
    """The names of the enum:rpc sources, in order."""
    return [name for _, name, source in sources_of(document)
            if name is not None and isinstance(source, dict) and source.get("type") == "enum:rpc"]


def static_values(source: dict[str, Any]) -> list[str]:
    return [text_of(value) for value in as_list(source.get("values"))]


def sample_form_values(document: dict[str, Any], action: dict[str, Any]) -> dict[str, str]:
    """A value for every form field: its default, else the first static choice, else a sample of its type."""
    values: dict[str, str] = {}
    for field in form_fields(action):
        if field.default is not None:
            values[field.name] = field.default
            continue
        found = find_source(document, field.source) if field.source else None
        choices = static_values(found[1]) if found is not None and found[1].get("type") == "enum:static" else []
        values[field.name] = choices[0] if choices else _sample_of(field)
    return values


def _sample_of(field: FormField) -> str:
    return {"number": "1", "boolean": "true", "date": "2026-01-31",
            "datetime": "2026-01-31T12:00:00Z"}.get(field.type, sample_value(field.name))
