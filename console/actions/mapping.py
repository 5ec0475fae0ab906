"""Evaluate a request's mapping on an answer: each output's value by its JSONPath, its type checked."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from console.manifest.document import as_list
from console.manifest.lint_mapping import _environment, jsonpath_problem

MAX_SHOWN = 2000  # characters of one output value kept for showing and storing


@dataclass(frozen=True)
class Output:
    name: str
    path: str
    type: str
    title: str
    found: bool
    value: Any = None  # JSON value (None when not found)
    problem: str = ""  # why it was not found, or why its type is wrong


@dataclass(frozen=True)
class MappingResult:
    outputs: tuple[Output, ...]
    answer_problem: str = ""  # the answer could not be read as JSON (then nothing is found)

    @property
    def values(self) -> dict[str, Any]:
        return {o.name: o.value for o in self.outputs if o.found}

    @property
    def missing(self) -> list[str]:
        return [o.name for o in self.outputs if not o.found]

    @property
    def type_errors(self) -> list[str]:
        return [f"{o.name}: {o.problem}" for o in self.outputs if o.found and o.problem]

    def to_stored(self) -> dict[str, Any]:
        return {"answer_problem": self.answer_problem,
                "outputs": [{"name": o.name, "path": o.path, "type": o.type, "title": o.title, "found": o.found,
                             "value": _capped(o.value), "problem": o.problem} for o in self.outputs]}

    @staticmethod
    def from_stored(data: Any) -> MappingResult:
        data = data if isinstance(data, dict) else {}
        outputs = tuple(Output(str(o.get("name", "")), str(o.get("path", "")), str(o.get("type", "")),
                               str(o.get("title", "")), bool(o.get("found")), o.get("value"),
                               str(o.get("problem", "")))
                        for o in as_list(data.get("outputs")) if isinstance(o, dict))
        return MappingResult(outputs, str(data.get("answer_problem") or ""))


def _capped(value: Any) -> Any:
    text = json.dumps(value, ensure_ascii=False)
    return value if len(text) <= MAX_SHOWN else text[:MAX_SHOWN] + f"… ({len(text) - MAX_SHOWN} more characters)"


def read_answer(body: str, truncated: bool) -> tuple[Any, str]:
    """The answer as JSON, or a problem saying why it cannot be read."""
    if truncated:
        return None, "The answer was cut at the size cap, so it cannot be read as JSON: answer with a smaller body."
    if not body.strip():
        return None, "The answer is empty, so no mapping path can find anything: answer with a JSON object."
    try:
        return json.loads(body), ""
    except (json.JSONDecodeError, RecursionError):
        start = body.strip()[:40]
        return None, (f"The answer is not JSON (it starts with {start!r}), so no mapping path can find anything: "
                      "answer with Content-Type application/json and a JSON body.")


def evaluate(mapping: Any, data: Any, answer_problem: str = "") -> MappingResult:
    outputs = []
    for row in as_list(mapping):
        if not isinstance(row, dict):
            continue
        name, path = str(row.get("name") or ""), row.get("path")
        kind, title = str(row.get("type") or "string"), str(row.get("title") or "")
        if not isinstance(path, str) or not path:
            outputs.append(Output(name, "", kind, title, False, problem="it has no JSONPath in \"path\""))
            continue
        problem = jsonpath_problem(path)
        if problem is not None:
            outputs.append(Output(name, path, kind, title, False,
                                  problem=f"'{path}' is not a JSONPath query ({problem})"))
            continue
        if answer_problem:
            outputs.append(Output(name, path, kind, title, False, problem="the answer is not JSON"))
            continue
        outputs.append(_find(name, path, kind, title, data))
    return MappingResult(tuple(outputs), answer_problem)


def _find(name: str, path: str, kind: str, title: str, data: Any) -> Output:
    try:
        matches = _environment().findall(path, data)
    except Exception as exc:  # noqa: BLE001 - a path that fails on this data is reported, never raised
        return Output(name, path, kind, title, False, problem=f"evaluating the path failed: {str(exc)[:200]}")
    if not matches:
        return Output(name, path, kind, title, False, problem=f"{path} found nothing in the answer")
    value = matches if kind == "array" and not (len(matches) == 1 and isinstance(matches[0], list)) \
        else matches[0] if len(matches) == 1 else matches
    return Output(name, path, kind, title, True, value, type_problem(value, kind))


def type_problem(value: Any, kind: str) -> str:
    """Why ``value`` is not of the declared type ('' when it is, or the type is not one the console knows)."""
    checks = {
        "string": lambda v: isinstance(v, str),
        "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
        "boolean": lambda v: isinstance(v, bool),
        "array": lambda v: isinstance(v, list),
        "object": lambda v: isinstance(v, dict),
        "date": lambda v: isinstance(v, str) and _parses(date.fromisoformat, v),
        "datetime": lambda v: isinstance(v, str) and _parses(datetime.fromisoformat, v),
    }
    check = checks.get(kind)
    if check is None or check(value):
        return ""
    return f"declared {kind}, but the answer holds {_json_type(value)} {json.dumps(value, ensure_ascii=False)[:80]}"


def _parses(parse: Any, text: str) -> bool:
    try:
        parse(text.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return "null"


def options_of(result: MappingResult) -> list[str]:
    """The dropdown choices an rpc source's answer yields: every found value, flattened to text."""
    options: list[str] = []
    for output in result.outputs:
        if not output.found:
            continue
        values = output.value if isinstance(output.value, list) else [output.value]
        for value in values:
            if isinstance(value, dict):
                value = next((value[k] for k in ("value", "id", "name", "title", "label") if k in value), None)
            if value is not None and not isinstance(value, dict | list):
                options.append(value if isinstance(value, str) else json.dumps(value))
    return options[:500]
