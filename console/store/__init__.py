"""Persistence: the bottom layer. It imports no other part of the core.

``open_store(url)`` opens (and migrates) a database; ``Store.apps``, ``Store.fires`` and
``Store.versions`` are the aggregates. App Keys are never stored: fires keep a fingerprint and the masked request.
"""

from __future__ import annotations

from sqlalchemy.engine import Engine

from console.store.activity import Activity, ActivityRecord
from console.store.apps import AppRecord, Apps, AppSummary, RevisionRecord
from console.store.audit_log import AuditLog
from console.store.bursts import BurstRunRecord, Bursts
from console.store.engine import DatabaseError, create_engine, upgrade_database
from console.store.fires import FireFilter, Fires, StoreConflict
from console.store.gate_attempts import Admission, GateAttempts
from console.store.installations import InstallationRecord, Installations, KeyLookup, SandboxAppRow
from console.store.people import People, Person
from console.store.review import Comments, Deliveries, Identities, Roles, Settings
from console.store.sandbox_calls import CallRecord, SandboxCalls
from console.store.sandbox_pages import SandboxPages
from console.store.signoffs import SignoffRecord, Signoffs
from console.store.versions import VersionRecord, Versions

__all__ = ["ActivityRecord", "Admission", "AppRecord", "AppSummary", "BurstRunRecord", "CallRecord", "DatabaseError",
           "FireFilter", "InstallationRecord", "KeyLookup", "Person", "RevisionRecord", "SandboxAppRow",
           "SignoffRecord", "Store", "StoreConflict", "VersionRecord", "open_store"]


class Store:
    """The database and its aggregates."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self.apps = Apps(engine)
        self.fires = Fires(engine)
        self.versions = Versions(engine)
        self.installations = Installations(engine)
        self.sandbox_calls = SandboxCalls(engine)
        self.sandbox_pages = SandboxPages(engine)
        self.bursts = Bursts(engine)
        self.people = People(engine)
        self.gate_attempts = GateAttempts(engine)
        self.activity = Activity(engine)
        self.signoffs = Signoffs(engine)
        self.roles = Roles(engine)
        self.settings = Settings(engine)
        self.comments = Comments(engine)
        self.deliveries = Deliveries(engine)
        self.identities = Identities(engine)
        self.audit = AuditLog(engine)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def close(self) -> None:
        self.engine.dispose()


def open_store(url: str, *, migrate: bool = True) -> Store:
    """Open the database at ``url``, bringing it to the newest schema first (under a lock)."""
    engine = create_engine(url)
    if migrate:
        upgrade_database(engine)
    return Store(engine)
