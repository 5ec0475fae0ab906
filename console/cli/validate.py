"""`validate APP_JSON`: the schema and the lint rules (no network, no database)."""

from __future__ import annotations

import argparse

from console.cli.common import UsageError
from console.cli.formats import add_format_options, finish_run, plan, validation_results
from console.cli.options import load_snippet


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("app_json", metavar="APP_JSON")
    parser.add_argument("--for-listing", action="store_true", help="apply App Store listing rules")
    parser.add_argument("--strip-comments", action="store_true",
                        help="accept // and /* */ comments (ManyChat's field does not: a warning says where)")
    parser.add_argument("--scope", action="extend", nargs="+", default=None, metavar="PATH",
                        help="the app's scopes, e.g. /fb/subscriber/addTag: cross-check the API calls (repeatable)")
    parser.add_argument("--json", action="store_true", help="print one JSON object (same as --format json)")
    add_format_options(parser)


def run(args: argparse.Namespace) -> int:
    from console.manifest.findings import ValidationIssue, ValidationReport
    from console.manifest.validate import validate_manifest

    outputs = plan(args)
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
    from console.checks.results import CheckRun

    errors = sum(1 for i in report.issues if i.severity == "error")
    text = "".join(f"{i.severity:<8} {i.pointer or '/':<28} {i.code:<24} {i.message} {i.hint}\n" for i in report.issues)
    text += (f"{args.app_json}: {'valid' if report.valid else 'INVALID'} "
             f"({errors} error(s), {len(report.issues) - errors} other finding(s))\n")
    run = CheckRun("validate", args.app_json, validation_results(report.issues), extra=report.to_dict(), text=text)
    return finish_run(run, outputs, args.fail_on)
