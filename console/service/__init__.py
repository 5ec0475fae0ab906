"""Every operation a page or a command performs, one function each, one module per use case.

Both faces (the pages and the CLI) call these and never write the store themselves, so each
operation (a scope change, a saved App JSON, a fire) has one place where its rules and side
effects live. Results are frozen dataclasses; a refused change raises ServiceError and changes
nothing.

    base       ServiceError, the database, finding an app, the activity log, settings → fire values
    documents  the shared writes: an app's App JSON document (every change a version) and its settings
    apps       apps, profile, App JSON document, settings, targets, the demo app
    scopes     the one place a scope change happens (the sandbox's re-keying included)
    auth_section  the Auth section page's view: findings placed by field, the request as it would be sent
    firing     one fire, a re-fire, the conformance runs: stored and attributed alike from both faces
    history    reading stored fires
    readiness  the checklist verdict over stored evidence (an app's, or a file's by its hash), progress;
               the compatibility items (`check --since`) and the endpoint scan's items
    versions   App JSON versions, their difference and compatibility, undo, import preview
    sandbox    installations, reviews, the call log
    bursts     re-keying many installations at once
    team       the access gate, people, the activity log, sign-offs
    scaffold   an install endpoint project generated from the App JSON (preview, write)
    actions    actions: edit them (every change a version), rehearse them, their stored rehearsals
    evidence   the Checklist's one button: the conformance runs and every action rehearsed, in one press

Callers import the use-case module (``from console.service import firing``). A use-case module
imports ``base`` and the domain; of the other use-case modules only ``documents`` (the shared writes),
``scopes`` (a scope change) and ``readiness`` (the verdict) are imported by others, and ``evidence`` (on
top) combines ``firing`` and ``actions``. This package re-exports ``base`` only.
"""

from console.service.base import (
    DEFAULT_AUTHOR,
    TARGETS,
    ServiceError,
    fire_context,
    fired_url,
    get_app,
    get_fire,
    must_get,
    open_console_store,
    settings_of,
    target_kind,
    target_url,
    timeouts_of,
)

__all__ = ["DEFAULT_AUTHOR", "TARGETS", "ServiceError", "fire_context", "fired_url", "get_app", "get_fire", "must_get",
           "open_console_store", "settings_of", "target_kind", "target_url", "timeouts_of"]
