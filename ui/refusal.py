"""A write refused on the server (a role, separation of duties): its message on the page, never a traceback."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import streamlit as st

from console import service
from console.service.merge import StaleSave

T = TypeVar("T")


def attempt(call: Callable[..., T], *args: Any, **kwargs: Any) -> T | None:
    """``call(*args, **kwargs)``; None (with the refusal shown) when the service refused it. A StaleSave (a
    save based on an older revision that changed a field changed since) is raised on: the caller shows the
    choice (ui.stale)."""
    try:
        return call(*args, **kwargs)
    except StaleSave:
        raise
    except service.ServiceError as exc:
        st.error(str(exc), icon=":material/block:")
        return None
