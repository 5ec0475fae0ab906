"""The scaffold use case (one door for `scaffold` and the Endpoint code page): preview an install endpoint
project, or write it.

Everything is rendered before anything is written, so bad input (no auth.request, an unknown
language, a non-empty directory without ``force``) changes nothing on disk.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from console.manifest.document import Document
from console.scaffold.render import Scaffold, render_scaffold
from console.scaffold.spec import ScaffoldError

__all__ = ["ScaffoldError", "ScaffoldResult", "preview_scaffold", "write_scaffold"]


@dataclass(frozen=True)
class ScaffoldResult:
    lang: str
    dir: str
    files: tuple[str, ...]
    install: str
    run: str
    path: str
    warnings: tuple[str, ...]

    def to_dict(self) -> dict[str, object]:
        return {"lang": self.lang, "dir": self.dir, "files": list(self.files), "install": self.install,
                "run": self.run, "path": self.path, "warnings": list(self.warnings)}


def preview_scaffold(manifest: Document, lang: str, name: str) -> Scaffold:
    """Every file of the project, in memory (the page shows them and offers a zip)."""
    return render_scaffold(manifest, lang, name)


def _check_target(out: Path, force: bool) -> None:
    if out.exists() and not out.is_dir():
        raise ScaffoldError(f"{out} exists and is not a directory: give --out a new or empty directory.")
    if out.is_dir() and any(out.iterdir()) and not force:
        raise ScaffoldError(f"{out} is not empty: give a new or empty directory, or --force to overwrite the "
                            "generated files there (other files, such as data/ with the stored keys, are kept).")


def write_scaffold(manifest: Document, lang: str, out: Path, force: bool, name: str) -> ScaffoldResult:
    """Write the project into ``out``; with ``force``, overwrite the generated files only."""
    scaffold = render_scaffold(manifest, lang, name)
    _check_target(out, force)
    try:
        for file in scaffold.files:
            target = out / file.path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(file.text, encoding="utf-8")
    except OSError as exc:
        raise ScaffoldError(f"cannot write into {out}: {exc.strerror or exc}.") from None
    return ScaffoldResult(scaffold.lang, str(out), tuple(f.path for f in scaffold.files), scaffold.install,
                          scaffold.run, scaffold.path, scaffold.warnings)
