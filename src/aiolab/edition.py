"""Build the learner's edition of the course and lay it into a workspace, keeping learners' edits.

The instructor edition of every lesson lives in ``notebooks/<lesson>/``. nbgrader's own
``generate_assignment`` turns it into the student version (solutions and hidden tests
removed); this module runs it into ``build/learner-edition/`` and then copies the result
into the learner's workspace folder, which is where ``make lab`` opens JupyterLab.

Why a manifest: a learner edits and saves notebooks in the workspace, and rebuilding must
never overwrite that work. ``.edition.json`` in the workspace records the hash of every
file as we last wrote it. A file whose current hash still matches was not touched by the
learner, so it may be refreshed; any other file is the learner's and is kept.

Run it with ``python -m aiolab.edition`` (``make edition``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

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


def lessons(source: Path) -> list[str]:
    """Lesson folders (nbgrader assignments) in lesson order: folders holding a notebook."""
    return sorted(p.name for p in source.iterdir()
                  if p.is_dir() and not p.name.startswith((".", "_")) and any(p.glob("*.ipynb")))


def generate(course: Path, out: Path, python: str = sys.executable,
             names: list[str] | None = None, source: Path | None = None) -> list[str]:
    """Run nbgrader generate_assignment for every lesson (or ``names``) into ``out``.

    ``source`` is the folder of lessons, by default the course's own (``../notebooks``).
    """
    source = (source or course / "../notebooks").resolve()
    names = names or lessons(source)
    for name in names:
        done = subprocess.run(
            [python, "-m", "nbgrader", "generate_assignment", name, "--force", "--no-db",
             f"--CourseDirectory.source_directory={source}",
             f"--CourseDirectory.release_directory={out}", "--log-level=WARN"],
            cwd=course, capture_output=True, text=True)
        if done.returncode:
            # Quiet when it works; on failure, nbgrader's own words say which cell is wrong.
            print(done.stdout + done.stderr, file=sys.stderr)
            done.check_returncode()
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the learner's edition into a workspace.")
    parser.add_argument("--course", type=Path, default=Path("autograder"),
                        help="the nbgrader course folder (holds nbgrader_config.py)")
    parser.add_argument("--build", type=Path, default=Path("build/learner-edition"),
                        help="where nbgrader writes the generated edition")
    parser.add_argument("--workspace", type=Path, default=Path("workspace"),
                        help="the learner's folder that JupyterLab opens")
    parser.add_argument("--lesson", action="append",
                        help="only this lesson folder (repeatable); default: every lesson")
    args = parser.parse_args(argv)
    build = args.build.resolve()
    if build.exists():
        shutil.rmtree(build)
    names = generate(args.course.resolve(), build, names=args.lesson)
    report = sync(build, args.workspace.resolve())
    print(f"Learner's edition: {len(names)} lesson(s) in {args.workspace}/")
    print("\n".join(report.lines()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
