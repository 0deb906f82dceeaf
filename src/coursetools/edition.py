"""Build the learner's edition of the course and lay it into a workspace, keeping learners' edits.

The instructor edition of every lesson lives in ``notebooks/<lesson>/``. nbgrader's own
``generate_assignment`` turns it into the student version (solutions and hidden tests
removed); this module runs it into ``build/learner-edition/`` and then copies the result
into the learner's workspace folder, which is where ``make lab`` opens JupyterLab.

Why a manifest: a learner edits and saves notebooks in the workspace, and rebuilding must
never overwrite that work. ``.edition.json`` in the workspace records the hash of every
file as we last wrote it. A file whose current hash still matches was not touched by the
learner, so it may be refreshed; any other file is the learner's and is kept.

Run it with ``python -m coursetools edition`` (``make edition``, ``make lab``).
"""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from .course import Course

MANIFEST = ".edition.json"


@dataclass
class SyncReport:
    """What a sync did to each file of the workspace, by relative path."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = []
        for path in self.added:
            out.append(f"  added      {path}")
        for path in self.updated:
            out.append(f"  updated    {path}")
        for path in self.kept:
            out.append(f"  kept       {path}  (you edited it; your version stays. To get the "
                       "new one, rename yours and run make lab again.)")
        out.append(f"  {len(self.unchanged)} file(s) already up to date")
        return out


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def generate(course: Course, out: Path, names: list[str] | None = None) -> list[str]:
    """The student version of every lesson (or ``names``) into ``out``; the gradebook is
    left alone, since this is a build, not a release to students."""
    names = names or course.lessons()
    for name in names:
        course.release(name, out=out, db=False)
    return names


def sync(release: Path, workspace: Path) -> SyncReport:
    """Copy the generated edition into the workspace without touching the learner's edits."""
    workspace.mkdir(parents=True, exist_ok=True)
    manifest_path = workspace / MANIFEST
    written: dict[str, str] = {}
    if manifest_path.exists():
        written = json.loads(manifest_path.read_text())
    report = SyncReport()
    for src in sorted(p for p in release.rglob("*") if p.is_file()):
        rel = src.relative_to(release).as_posix()
        dest = workspace / rel
        new = _digest(src)
        if not dest.exists():
            report.added.append(rel)
        elif _digest(dest) != written.get(rel):
            report.kept.append(rel)
            continue
        elif new == written[rel]:
            report.unchanged.append(rel)
            continue
        else:
            report.updated.append(rel)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dest)
        written[rel] = new
    manifest_path.write_text(json.dumps(written, indent=1, sort_keys=True) + "\n")
    return report


def build(course: Course, build_dir: Path, workspace: Path,
          names: list[str] | None = None) -> tuple[list[str], SyncReport]:
    """Generate the edition afresh into ``build_dir`` and sync it into ``workspace``."""
    build_dir = Path(build_dir).resolve()
    if build_dir.exists():
        shutil.rmtree(build_dir)
    names = generate(course, build_dir, names)
    return names, sync(build_dir, Path(workspace).resolve())
