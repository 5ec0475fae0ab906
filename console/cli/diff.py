"""`diff A B`: the semantic difference of two App JSON files."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

from console.cli.common import EXIT_FAIL, EXIT_PASS, UsageError
from console.cli.formats import add_compat_options
from console.cli.options import add_json, load_snippet

if TYPE_CHECKING:
    from console.manifest.document import Document


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("old", metavar="A")
    parser.add_argument("new", metavar="B")
    parser.add_argument("--strip-comments", action="store_true", help="accept // and /* */ comments in the files")
    add_json(parser)
    add_compat_options(parser)


def run(args: argparse.Namespace) -> int:
    from console.manifest.diff import diff_documents

    old = load_snippet(args.old, args.strip_comments)[0]
    new = load_snippet(args.new, args.strip_comments)[0]
    if args.compat:
        return _diff_compat(args, old, new)
    if args.fail_on or args.kind or args.old_scope is not None or args.new_scope is not None:
        raise UsageError("--fail-on, --kind, --old-scope and --new-scope only have a meaning with --compat.")
    changes = diff_documents(old, new)
    if args.json:
        print(json.dumps({"same": not changes, "changes": [c.to_dict() for c in changes]}, ensure_ascii=False))
    else:
        for change in changes:
            print(change.describe())
        print(f"{args.old} → {args.new}: " + (f"{len(changes)} change(s)" if changes else "no semantic difference"))
    return EXIT_PASS if not changes else EXIT_FAIL


def _diff_compat(args: argparse.Namespace, old: Document, new: Document) -> int:
    from console.catalog import get_scope
    from console.manifest.compat import CLASS_LABELS, classify

    for path in (args.old_scope or []) + (args.new_scope or []):
        if get_scope(path) is None:
            raise UsageError(f"--old-scope/--new-scope {path}: not a Public API endpoint (e.g. /fb/page/getInfo).")
    scopes_given = args.old_scope is not None or args.new_scope is not None
    report = classify(old, new, kind=args.kind, old_scopes=(args.old_scope or []) if scopes_given else None,
                      new_scopes=(args.new_scope or []) if scopes_given else None)
    if args.json:
        print(json.dumps({"same": not report.changes, **report.to_dict()}, ensure_ascii=False))
    else:
        for change in report.changes:
            print(change.describe())
        for note in report.notes:
            print(f"note: {note}")
        counts = ", ".join(f"{n} {CLASS_LABELS[c]}" for c, n in (("breaking", len(report.breaking)),
                                                                 ("review", len(report.review))))
        print(f"{args.old} → {args.new}: " + (f"{len(report.changes)} change(s) ({counts})" if report.changes
                                               else "no semantic difference"))
    if args.fail_on == "never":
        return EXIT_PASS
    if args.fail_on == "breaking":
        return EXIT_FAIL if report.breaking else EXIT_PASS
    if args.fail_on == "review":
        return EXIT_FAIL if report.breaking or report.review else EXIT_PASS
    return EXIT_FAIL if report.changes else EXIT_PASS
