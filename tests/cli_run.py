"""`python -m console ARGS` in the test process: the same exit code, stdout and stderr, without starting Python.

A subprocess costs a Python start-up and the console's imports (about a second of CPU each, hundreds of
times per suite). Tests about what the CLI prints and stores call ``console_cli`` instead; the tests about
the process itself (signals, kill -9, two processes at once, imports at start-up) keep a real subprocess.

During the call the process sees exactly ``env`` as its environment, ROOT as its working folder and
``python -m console ARGS`` as its argv, as the subprocess did; all three are restored afterwards.
"""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@contextlib.contextmanager
def _environment(env: Mapping[str, str]) -> Iterator[None]:
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def console_cli(args: Sequence[str], env: Mapping[str, str]) -> subprocess.CompletedProcess[str]:
    """What ``subprocess.run([python, "-m", "console", *args], cwd=ROOT, env=env, capture_output=True,
    text=True)`` returns, run in this process by ``console.cli.main``."""
    from console.cli import main

    out, err = io.StringIO(), io.StringIO()
    saved_argv, saved_cwd = sys.argv, os.getcwd()
    sys.argv = [str(ROOT / "console" / "__main__.py"), *args]
    os.chdir(ROOT)
    try:
        with _environment(env), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(list(args))
            except SystemExit as exit_:  # argparse: usage errors (2) and --help (0)
                code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
                if exit_.code is not None and not isinstance(exit_.code, int):
                    print(exit_.code, file=sys.stderr)
    finally:
        sys.argv = saved_argv
        os.chdir(saved_cwd)
    return subprocess.CompletedProcess(["python", "-m", "console", *args], code, out.getvalue(), err.getvalue())
