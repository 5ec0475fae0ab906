"""`scaffold APP_JSON --lang python|node --out DIR [--force] [--json]`: an install endpoint project generated
from the App JSON's auth.request."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from console.cli.common import EXIT_PASS, UsageError, note
from console.cli.options import add_json, load

LANGS = ("python", "node")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("app_json", metavar="APP_JSON")
    parser.add_argument("--lang", required=True, metavar="python|node",
                        help="python (FastAPI on uvicorn) or node (Express)")
    parser.add_argument("--out", required=True, metavar="DIR", help="a new or empty directory for the project")
    parser.add_argument("--force", action="store_true",
                        help="write into a non-empty DIR, overwriting the generated files (others are kept)")
    add_json(parser)


def run(args: argparse.Namespace) -> int:
    from console.service.scaffold import ScaffoldError, write_scaffold

    if args.lang not in LANGS:
        raise UsageError(f"--lang {args.lang}: unknown language; use one of {', '.join(LANGS)}.")
    manifest = load(args.app_json)
    try:
        result = write_scaffold(manifest, args.lang, Path(args.out), args.force, Path(args.app_json).stem)
    except ScaffoldError as exc:
        raise UsageError(str(exc)) from None
    for warning in result.warnings:
        note(f"warning: {warning}")
    if args.json:
        print(json.dumps(result.to_dict(), ensure_ascii=False))
    else:
        print(f"Wrote a {result.lang} install endpoint into {result.dir} ({len(result.files)} files).")
        print(f"  install:  cd {result.dir} && {result.install}")
        print(f"  run:      PORT=8000 {result.run}")
        print(f"  install path: {result.path} (point auth.request.url at it)")
    return EXIT_PASS
