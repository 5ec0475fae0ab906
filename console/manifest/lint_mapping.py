"""Mapping items (``{name, path, type, title}``): the path is parsed as real JSONPath (RFC 9535)."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from console.manifest.findings import ValidationIssue

if TYPE_CHECKING:
    from jsonpath import JSONPathEnvironment

VALUE_TYPES = ("string", "number", "boolean", "date", "datetime", "array", "object")
# $.name, $.a.b[0].c, $.data[*].id: member-name shorthand, indexes and wildcards are valid RFC 9535 queries;
# anything else is parsed.
_PLAIN_PATH = re.compile(r"^\$(?:\.[A-Za-z_][A-Za-z0-9_]*|\.\*|\[(?:\*|0|[1-9][0-9]{0,8})\])*$")
MAX_PATH = 1000


@lru_cache(maxsize=1)
def _environment() -> JSONPathEnvironment:
    from jsonpath import JSONPathEnvironment  # imported when a path is checked: `validate` starts faster

    return JSONPathEnvironment(strict=True)


def jsonpath_problem(path: str) -> str | None:
    """Why ``path`` is not a JSONPath query (with the column), or None when it parses."""
    if len(path) > MAX_PATH:
        return f"it is {len(path)} characters long; the console reads paths of up to {MAX_PATH}"
    if _PLAIN_PATH.match(path):
        return None  # the common case, without loading the JSONPath parser
    from jsonpath.exceptions import JSONPathError, JSONPathSyntaxError

    try:
        _environment().compile(path)
    except JSONPathSyntaxError as exc:
        column = getattr(exc.token, "index", None) if exc.token is not None else None
        where = f" at column {column + 1}" if isinstance(column, int) else ""
        return f"{exc.args[0] if exc.args else 'syntax error'}{where}"
    except (JSONPathError, ValueError, RecursionError) as exc:
        return str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return None


def lint_mapping(mapping: Any, base: str) -> list[ValidationIssue]:
    """Every mapping item of one request: a JSONPath that parses, unique names, a known type."""
    issues: list[ValidationIssue] = []
    if not isinstance(mapping, list):
        return issues
    seen: set[str] = set()
    for index, item in enumerate(mapping):
        if not isinstance(item, dict):
            continue
        pointer = f"{base}/{index}"
        path, name, kind = item.get("path"), item.get("name"), item.get("type")
        if isinstance(path, str):
            problem = jsonpath_problem(path)
            if problem is not None:
                issues.append(ValidationIssue(
                    pointer + "/path", "error", "mapping.path_invalid",
                    f"'{path}' is not a JSONPath query ({problem}).",
                    "Write a JSONPath from the root of the response, e.g. $.id, $.data[0].name or $['first name'].",
                ))
        if isinstance(name, str):
            if name in seen:
                issues.append(ValidationIssue(
                    pointer + "/name", "error", "mapping.duplicate",
                    f"The mapping name '{name}' is used twice in this request.",
                    "Give every mapped value its own name.",
                ))
            seen.add(name)
        if isinstance(kind, str) and kind not in VALUE_TYPES:
            issues.append(ValidationIssue(
                pointer + "/type", "warning", "mapping.type_unknown",
                f"The mapping type '{kind}' is not one the console knows ({', '.join(VALUE_TYPES)}).",
                "The Specification shows string and number; check that ManyChat accepts this type.",
            ))
    return issues
