"""`diff A B`: the semantic difference of two App JSON files."""

from __future__ import annotations

import argparse
import json

from console.cli.common import EXIT_FAIL, EXIT_PASS
from console.cli.options import add_json, load_snippet


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("old", metavar="A")
    parser.add_argument("new", metavar="B")
    parser.add_argument("--strip-comments", action="store_true", help="accept // and /* */ comments in the files")
    add_json(parser)


def run(args: argparse.Namespace) -> int:
    from console.manifest.diff import diff_documents

    old = load_snippet(args.old, args.strip_comments)[0]
    new = load_snippet(args.new, args.strip_comments)[0]
    changes = diff_documents(old, new)
    if args.json:
        print(json.dumps({"same": not changes, "changes": [c.to_dict() for c in changes]}, ensure_ascii=False))
    else:
        for change in changes:
            print(change.describe())
        print(f"{args.old} → {args.new}: " + (f"{len(changes)} change(s)" if changes else "no semantic difference"))
    return EXIT_PASS if not changes else EXIT_FAIL
