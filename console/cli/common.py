"""What every command shares: exit codes, the one translation of a refusal into exit 2, the store."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from console.store import Store

EXIT_PASS, EXIT_FAIL, EXIT_USAGE = 0, 1, 2
ACTOR = "cli"  # who the command line's writes are attributed to


class UsageError(Exception):
    """Bad usage or unreadable input: exit 2 with this message."""


# A refusal from the core: its message says what is wrong and how to fix it (exit 2, no traceback).
USER_ERRORS = (("console.service.base", "ServiceError"), ("console.manifest.document", "ManifestError"),
               ("console.store.engine", "DatabaseError"))


def user_error(exc: BaseException) -> str | None:
    """The message to show for a refusal (usage, the service, an unreadable file, the database), else None.

    Only modules already imported are looked at: an exception of a module never loaded cannot be raised."""
    if isinstance(exc, UsageError):
        return str(exc)
    for module, name in USER_ERRORS:
        loaded = sys.modules.get(module)
        if loaded is not None and isinstance(exc, getattr(loaded, name)):
            return str(exc)
    return None


@contextmanager
def open_store() -> Iterator[Store]:
    """The console's database for the length of a command (closed however the command ends)."""
    from console import service

    store = service.open_console_store()
    try:
        yield store
    finally:
        store.close()


def note(text: str) -> None:
    """A message for the person at the terminal (stderr: stdout stays the command's result)."""
    print(text, file=sys.stderr)
