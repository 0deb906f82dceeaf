"""The one layer over nbgrader: every nbgrader command the course runs goes through here.

Why one layer: nbgrader reads ``nbgrader_config.py`` from the current directory and joins
relative paths to its course root, so *where* a command runs decides what it does. Run from
the wrong folder, or with a relative path after a ``cd``, a command silently works on another
course or writes somewhere else. This module fixes those rules in one place:

- every command runs in the course folder (for its ``nbgrader_config.py``) with the course
  root, and any folder we override, given as absolute paths on the command line;
- the venv's ``bin`` comes first on ``PATH`` (nbgrader runs ``alembic`` from ``PATH`` when it
  creates a gradebook);
- nbgrader's own output is kept and, when a command fails, shown in :class:`NbgraderError`
  with nbgrader's own words;
- Validate runs nbgrader's ``Validator`` in-process and returns its result as data, instead
  of grepping what ``nbgrader validate`` prints (it exits 0 even when tests fail).

The Makefile (through :mod:`coursetools.cli`), the learner's edition, the handouts and the
test suite's corpus all use :class:`Course`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

CONFIG_FILE = "nbgrader_config.py"


class NbgraderError(RuntimeError):
    """An nbgrader command exited with an error; ``output`` is what nbgrader printed."""

    def __init__(self, argv: list[str], returncode: int, output: str):
        self.argv, self.returncode, self.output = argv, returncode, output
        command = " ".join(argv[2:4])       # [python, -m, nbgrader, command, ...]
        super().__init__(f"{command} failed (exit status {returncode}). nbgrader said:\n{output.rstrip()}")


def _load_config(folder: Path):
    """The traitlets config of ``folder/nbgrader_config.py``, as nbgrader would read it."""
    from traitlets.config.loader import PyFileConfigLoader

    if not (folder / CONFIG_FILE).is_file():
        raise FileNotFoundError(f"no {CONFIG_FILE} in {folder}: not an nbgrader course folder")
    return PyFileConfigLoader(CONFIG_FILE, path=str(folder)).load_config()


def lesson_folders(source: Path) -> list[str]:
    """Lesson folders (nbgrader assignments) in lesson order: the folders holding a notebook."""
    return sorted(p.name for p in source.iterdir()
                  if p.is_dir() and not p.name.startswith((".", "_")) and any(p.glob("*.ipynb")))


@dataclass
class Course:
    """An nbgrader course: the folder holding ``nbgrader_config.py``, and where it works.

    ``config_dir`` is the folder whose ``nbgrader_config.py`` applies (``autograder/``).
    ``root`` is where nbgrader keeps release/, submitted/, autograded/, feedback/ (default:
    the config folder); ``source`` the lessons (default: what the config says); ``db`` the
    gradebook file (default: what the config says). The test suite points ``root`` and
    ``db`` at a scratch folder to grade with the course's real configuration.
    """

    config_dir: Path
    root: Path | None = None
    source: Path | None = None
    db: Path | None = None
    python: str = sys.executable
    log_level: str = "WARN"
    _config: object = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self.config_dir = Path(self.config_dir).resolve()
        self.root = Path(self.root).resolve() if self.root else self.config_dir
        if self.source is None:
            configured = self.config.CourseDirectory.get("source_directory", "source")
            self.source = self.config_dir / configured
        self.source = Path(self.source).resolve()
        if self.db is not None:
            self.db = Path(self.db).resolve()

    @property
    def config(self):
        if self._config is None:
            self._config = _load_config(self.config_dir)
        return self._config

    # ---- where things are ------------------------------------------------------------

    def lessons(self) -> list[str]:
        return lesson_folders(self.source)

    def notebooks(self, lesson: str) -> list[str]:
        """The notebook file names of a lesson, as students hand them in."""
        return sorted(p.name for p in (self.source / lesson).glob("*.ipynb"))

    def students(self, step: str, lesson: str) -> list[str]:
        """Students who have ``lesson`` in a step's folder (submitted, autograded, feedback)."""
        base = self.root / step
        if not base.is_dir():
            return []
        return sorted(p.name for p in base.iterdir() if (p / lesson).is_dir())

    # ---- nbgrader's commands -----------------------------------------------------------

    def run(self, command: str, *args: str, release: Path | None = None,
            env: dict[str, str] | None = None, timeout: float | None = None) -> str:
        """Run ``nbgrader <command> <args>`` on this course; return what it printed.
        ``env`` adds environment variables; past ``timeout`` seconds the command is killed
        (with the kernels it started: sandboxed kernels die with their parent) and
        :class:`subprocess.TimeoutExpired` raised."""
        argv = [self.python, "-m", "nbgrader", command, *args,
                f"--CourseDirectory.root={self.root}",
                f"--CourseDirectory.source_directory={self.source}",
                f"--log-level={self.log_level}"]
        if self.db is not None:
            argv.append(f"--CourseDirectory.db_url=sqlite:///{self.db}")
        if release is not None:
            argv.append(f"--CourseDirectory.release_directory={Path(release).resolve()}")
        bindir = str(Path(self.python).parent)
        env = {**os.environ, "PATH": f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}", **(env or {})}
        done = subprocess.run(argv, cwd=self.config_dir, env=env, text=True, timeout=timeout,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        if done.returncode:
            raise NbgraderError(argv, done.returncode, done.stdout)
        return done.stdout

    def release(self, lesson: str, *, out: Path | None = None, db: bool = True) -> Path:
        """The student version of a lesson (``generate_assignment``); returns its folder.

        ``out`` writes it elsewhere than the course's release/ folder; ``db=False`` leaves
        the gradebook alone (for builds that are not a release to students).
        """
        self.run("generate_assignment", lesson, "--force", *([] if db else ["--no-db"]), release=out)
        return (Path(out).resolve() if out else self.root / "release") / lesson

    def collect(self, lesson: str, archive: Path) -> list[str]:
        """Collect a folder or zip of ``<student>/<notebook>.ipynb`` (nbgrader ``zip_collect``).

        Only this lesson's notebooks are taken (``--strict``), so one archive may hold
        several lessons. Returns the students who have a submission of it afterwards.
        """
        archive = Path(archive).resolve()
        if not (self.root / "release" / lesson).is_dir():
            self.release(lesson)       # zip_collect matches names against the release
        downloaded = self.root / "downloaded" / lesson
        shutil.rmtree(downloaded, ignore_errors=True)
        target = downloaded / "archive"
        target.mkdir(parents=True)
        if archive.is_dir():
            # Links are left out: a "submission" that is a link to another file (an
            # instructor's notebook, a classmate's) would be collected as that file.
            shutil.copytree(archive, target / archive.name, symlinks=True,
                            ignore=lambda folder, names: [n for n in names if os.path.islink(os.path.join(folder, n))])
        else:
            shutil.copy2(archive, target / archive.name)
        self.run("zip_collect", lesson, "--force", "--strict")
        return self.students("submitted", lesson)

    def feedback(self, lesson: str) -> list[Path]:
        """One HTML page per student (``generate_feedback``); returns the pages."""
        self.run("generate_feedback", lesson, "--force")
        return sorted((self.root / "feedback").glob(f"*/{lesson}/*.html"))

    def export(self, csv: Path) -> Path:
        """Every score as one CSV (``nbgrader export``)."""
        csv = Path(csv).resolve()
        csv.parent.mkdir(parents=True, exist_ok=True)
        self.run("export", f"--CsvExportPlugin.to={csv}")
        return csv

    def db_url(self) -> str:
        return f"sqlite:///{self.db}" if self.db is not None else self.config.CourseDirectory.get("db_url", "")

    def db_path(self) -> Path | None:
        """The gradebook's file (None when the gradebook is not a SQLite file)."""
        url = self.db_url()
        return Path(url[len("sqlite:///"):]) if url.startswith("sqlite:///") else None

    def has_gradebook(self) -> bool:
        path = self.db_path()
        return path is None or path.is_file()


# ---- Validate ----------------------------------------------------------------------------

@dataclass
class FailedCell:
    source: str
    error: str


@dataclass
class Validation:
    """What nbgrader's Validator found in a notebook, as data."""

    notebook: Path
    failed: list[FailedCell] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)        # test cells the learner edited
    type_changed: list[str] = field(default_factory=list)   # cells whose type was changed
    language: str = "en"                                     # the notebook's edition's: the report's

    @property
    def ok(self) -> bool:
        return not (self.failed or self.changed or self.type_changed)

    def report(self) -> str:
        from aiolab import messages
        from aiolab.messages import _

        with messages.speaking(self.language):
            if self.ok:
                return _("{name}: Success! Every test passes.", name=self.notebook.name)
            lines = []
            for source in self.type_changed:
                lines += [_("A cell's type was changed (change it back):"), _indent(source), ""]
            for source in self.changed:
                lines += [_("A test cell was edited (undo the edit; the grader restores it):"), _indent(source), ""]
            for cell in self.failed:
                lines += [_("This cell failed:"), _indent(cell.source), "", _("The error was:"), _indent(cell.error), ""]
            problems = len(self.failed) + len(self.changed) + len(self.type_changed)
            lines.append(_("{name}: {problems} problem(s); fix them and validate again.", name=self.notebook.name,
                           problems=problems))
            return "\n".join(lines)


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in text.splitlines())


def validate(notebook: Path, config_dir: Path) -> Validation:
    """Run the notebook as the Validate button does, with ``config_dir``'s nbgrader settings."""
    from nbgrader.validator import Validator

    import nbformat

    from aiolab import messages

    notebook = Path(notebook).resolve()
    results = Validator(config=_load_config(Path(config_dir).resolve())).validate(str(notebook))
    try:
        language = messages.notebook_language(nbformat.read(notebook, as_version=4))
    except Exception:       # noqa: BLE001 - a notebook nbformat cannot read: the Validator said why
        language = "en"
    return Validation(
        notebook, language=language,
        failed=[FailedCell(r["source"], r["raw_error"]) for r in results.get("failed", [])],
        changed=[r["source"] for r in results.get("changed", [])],
        type_changed=[r["source"] for r in results.get("type_changed", [])])
