"""`validate APP_JSON`: the schema and the lint rules (no network, no database)."""

from __future__ import annotations

import argparse
import json

from console.cli.common import EXIT_FAIL, EXIT_PASS, UsageError
from console.cli.options import add_json, load_snippet


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("app_json", metavar="APP_JSON")
    parser.add_argument("--for-listing", action="store_true", help="apply App Store listing rules")
    parser.add_argument("--strip-comments", action="store_true",
                        help="accept // and /* */ comments (ManyChat's field does not: a warning says where)")
    parser.add_argument("--scope", action="extend", nargs="+", default=None, metavar="PATH",
                        help="the app's scopes, e.g. /fb/subscriber/addTag: cross-check the API calls (repeatable)")
    add_json(parser)


def run(args: argparse.Namespace) -> int:
    from console.manifest.findings import ValidationIssue, ValidationReport
    from console.manifest.validate import validate_manifest

    document, comment, parse_findings = load_snippet(args.app_json, args.strip_comments)
    if args.scope is not None:
        from console.catalog import get_scope

        unknown = [path for path in args.scope if get_scope(path) is None]
        if unknown:
            raise UsageError(f"--scope {' '.join(unknown)}: not a Public API endpoint (e.g. /fb/page/getInfo).")
    checked = validate_manifest(document, for_listing=args.for_listing, scopes=args.scope)
    report = ValidationReport(tuple(parse_findings) + checked.issues)
    if comment is not None:
        report = ValidationReport((ValidationIssue(
            "", "warning", "json.comments",
            f"The file has comments (the first at {comment.describe()}): ManyChat's App JSON field accepts JSON "
            "without comments.", "They were stripped for this check; remove them before pasting into ManyChat.",
        ), *report.issues))
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False))
    else:
        for issue in report.issues:
            print(f"{issue.severity:<8} {issue.pointer or '/':<28} {issue.code:<24} {issue.message} {issue.hint}")
        errors = sum(1 for i in report.issues if i.severity == "error")
        print(f"{args.app_json}: {'valid' if report.valid else 'INVALID'} "
              f"({errors} error(s), {len(report.issues) - errors} other finding(s))")
    return EXIT_PASS if report.valid else EXIT_FAIL
