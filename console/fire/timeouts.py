"""How long a fire may take: a value of its own, so reading settings does not load the HTTP client."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Timeouts"]


@dataclass(frozen=True)
class Timeouts:
    """Connect timeout and total deadline, in seconds (ManyChat-like defaults)."""

    connect: float = 5.0
    total: float = 10.0

    def __post_init__(self) -> None:
        if not (0 < self.connect <= 120 and 0 < self.total <= 300):
            raise ValueError("timeouts must be positive: connect up to 120 s, total up to 300 s")
