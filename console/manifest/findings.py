"""A validation finding (pointer, severity, code, message, fix hint) and a report of them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

SEVERITIES = ("error", "warning", "info")


@dataclass(frozen=True)
class ValidationIssue:
    pointer: str
    severity: str
    code: str
    message: str
    hint: str = ""

    def to_dict(self) -> dict[str, str]:
        message = f"{self.message} {self.hint}".strip()
        return {"pointer": self.pointer, "severity": self.severity, "code": self.code, "message": message}


@dataclass(frozen=True)
class ValidationReport:
    issues: tuple[ValidationIssue, ...]

    @property
    def valid(self) -> bool:
        return not any(issue.severity == "error" for issue in self.issues)

    @property
    def error_count(self) -> int:
        """The one error count that Home, the Auth section page and `validate` show."""
        return sum(1 for issue in self.issues if issue.severity == "error")

    def by_code(self, code: str) -> list[ValidationIssue]:
        return [issue for issue in self.issues if issue.code == code]

    def at(self, pointer_prefix: str) -> list[ValidationIssue]:
        return [i for i in self.issues if i.pointer == pointer_prefix or i.pointer.startswith(pointer_prefix + "/")]

    def to_dict(self) -> dict[str, Any]:
        return {"valid": self.valid, "issues": [issue.to_dict() for issue in self.issues]}

