"""``python -m coursetools <command>``: what the Makefile's instructor and build targets run.

Rules every command follows, so that a class is never graded halfway without anyone noticing:

- paths are made absolute as soon as they are read, before anything changes folder;
- given several lessons, a command does all of them: one lesson failing is reported and
  the others still run, and the exit status is 1 at the end;
- a lesson the user *named* that has nothing to do (no submissions to grade, say) is
  reported and makes the exit status 1; without names, lessons with nothing to do are
  listed and skipped, and only "nothing to do at all" is an error;
- a name that is not a lesson, or a missing input, is a usage error (exit status 2).
"""

from __future__ import annotations

import argparse
import os
import sys
import zipfile
from pathlib import Path

from .course import Course, NbgraderError, validate

USAGE = 2


class UsageError(Exception):
    pass


def _lessons(course: Course, named: list[str]) -> list[str]:
    known = course.lessons()
    unknown = [n for n in named if n not in known]
    if unknown:
        raise UsageError(f"not a lesson: {', '.join(unknown)}. Lessons: {', '.join(known)}")
    return named or known


def _each(lessons: list[str], step, what: str) -> int:
    """Run ``step(lesson)`` for every lesson, going on after a failure; 1 if any failed."""
    failed = []
    for lesson in lessons:
        try:
            step(lesson)
        except NbgraderError as err:
            print(f"{what} {lesson}: {err}", file=sys.stderr)
            failed.append(lesson)
    if failed:
        print(f"{what} failed for: {', '.join(failed)} (the other lessons were done)", file=sys.stderr)
    return 1 if failed else 0


def _with_work(course: Course, named: list[str], step_folder: str, what: str, hint: str) -> tuple[list[str], int]:
    """The lessons to process: named ones must have work; unnamed ones without it are skipped."""
    lessons = _lessons(course, named)
    ready = [l for l in lessons if course.students(step_folder, l)]
    idle = [l for l in lessons if l not in ready]
    status = 0
    if named and idle:
        for lesson in idle:
            print(f"{what}: nothing to do for {lesson}: no students in "
                  f"{course.root / step_folder}/<student>/{lesson}/ ({hint})", file=sys.stderr)
        status = 1
    elif idle and ready:
        print(f"{what}: no {step_folder} work yet for {', '.join(idle)} (skipped)")
    if not ready and not named:
        print(f"{what}: nothing to do: {course.root / step_folder}/ holds no lesson ({hint})", file=sys.stderr)
        status = 1
    return ready, status


def cmd_release(course: Course, args) -> int:
    # Another edition: the same lessons, notebook names and grade ids, generated from the
    # English ones and i18n/<edition>/ into build/release-<edition>-source/ and released
    # from there into the same release/ folder, for the same gradebook.
    args.out = f"build/release-{args.edition}"
    if not (edition := _translated(course, args, "release")):
        return 1
    course, lessons = edition
    language = "" if args.edition == "en" else f" ({args.edition})"

    def step(lesson):
        course.release(lesson)
        print(f"released {lesson}{language} -> {course.root / 'release' / lesson}")
    return _each(lessons, step, "release")


def _archive_notebooks(path: Path) -> set[str]:
    """The file names of the notebooks in a folder or a zip, without extracting anything."""
    if path.is_dir():
        return {p.name for p in path.rglob("*.ipynb")}
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as zf:
            return {Path(n).name for n in zf.namelist() if n.endswith(".ipynb")}
    raise UsageError(f"{path} is neither a folder nor a .zip of <student>/<notebook>.ipynb")


def cmd_collect(course: Course, args) -> int:
    if not args.source:
        raise UsageError("say where the submissions are: make collect FROM=<folder or .zip>")
    source = Path(args.source).expanduser().resolve()
    if not source.exists():
        raise UsageError(f"{args.source} does not exist")
    found = _archive_notebooks(source)
    if source.is_dir():
        for link in sorted(p for p in source.rglob("*") if p.is_symlink()):
            print(f"collect: left out {link.relative_to(source)}: a link, not a file (it would be collected as "
                  "whatever it points to); ask for the notebook itself", file=sys.stderr)
    lessons = _lessons(course, args.lesson)
    wanted = [l for l in lessons if found & set(course.notebooks(l))]
    status = 0
    missing = [l for l in lessons if l not in wanted]
    if args.lesson and missing:
        for lesson in missing:
            print(f"collect: no notebook of {lesson} ({', '.join(course.notebooks(lesson))}) in {source}",
                  file=sys.stderr)
        status = 1
    if not wanted:
        if not args.lesson:
            print(f"collect: no notebook of any lesson in {source}. Expected <student>/<notebook>.ipynb, "
                  f"named as the lessons' notebooks (gather-and-wait.ipynb, ...)", file=sys.stderr)
        return 1

    def step(lesson):
        students = course.collect(lesson, source)
        print(f"collected {lesson}: {len(students)} student(s) now submitted: {', '.join(students)}")
    return _each(wanted, step, "collect") or status


def cmd_autograde(course: Course, args) -> int:
    from . import sandbox
    from .autograde import Grader, summary

    lessons, status = _with_work(course, args.lesson, "submitted", "autograde", "make collect first")
    if not lessons:
        return status
    if sandbox.disabled():
        print("autograde: SANDBOX=off: students' code runs as you, with your files and network. "
              "Only for submissions you trust.", file=sys.stderr)
    else:
        reason = sandbox.why_unavailable()
        if reason:
            print(f"autograde: refusing to grade without a sandbox: {reason}.\n"
                  "Fix that (make sandbox installs bubblewrap), or pass SANDBOX=off to grade without one "
                  "if you trust every submission (see autograder/README.md).", file=sys.stderr)
            return 1
    grader = Grader(course, args.jobs, progress=sys.stderr.isatty() or args.progress)
    outcomes, failed = [], []
    for lesson in lessons:
        try:
            graded = grader.grade(lesson)
            outcomes += graded
            print(f"autograded {lesson}: {', '.join(o.student for o in graded if o.graded)}", flush=True)
        except NbgraderError as err:
            print(f"autograde {lesson}: {err}", file=sys.stderr)
            failed.append(lesson)
    print(summary(outcomes))
    if failed:
        print(f"autograde failed for: {', '.join(failed)} (the other lessons were graded)", file=sys.stderr)
    return 1 if failed or status or any(not o.graded for o in outcomes) else 0


def cmd_feedback(course: Course, args) -> int:
    lessons, status = _with_work(course, args.lesson, "autograded", "feedback", "make autograde first")

    def step(lesson):
        for page in course.feedback(lesson):
            print(f"  {os.path.relpath(page)}")
    return _each(lessons, step, "feedback") or status


def cmd_grades(course: Course, args) -> int:
    if not course.has_gradebook():
        print("grades: no gradebook yet (make release, make collect and make autograde first)", file=sys.stderr)
        return 1
    try:
        csv = course.export(Path(args.to))
    except NbgraderError as err:
        print(f"grades: {err}", file=sys.stderr)
        return 1
    rows = max(0, len(csv.read_text().splitlines()) - 1)
    print(f"grades: {rows} row(s) (student x lesson) in {args.to}")
    return 0


def cmd_validate(course: Course, args) -> int:
    if not args.notebook:
        raise UsageError("usage: make validate NB=path/to/notebook.ipynb")
    notebook = Path(args.notebook).expanduser().resolve()
    if not notebook.is_file():
        raise UsageError(f"{args.notebook}: no such notebook")
    config = Path(args.config).resolve() if args.config else course.config_dir / "learner"
    result = validate(notebook, config)
    print(result.report())
    return 0 if result.ok else 1


#: The editions ``make lab EDITION=...`` builds: English, and the languages of i18n/.
EDITIONS = ("en", "zh")


def locale_hint(edition: str, environ=os.environ) -> str | None:
    """For a learner whose locale is Chinese (LC_ALL, else LC_MESSAGES, else LANG, as the C
    library chooses), building the English edition: the Chinese edition exists."""
    locale = environ.get("LC_ALL") or environ.get("LC_MESSAGES") or environ.get("LANG") or ""
    if edition == "en" and locale.lower().startswith("zh"):
        return ("本课程有中文版：make lab EDITION=zh 打开中文版（学员版在 workspace-zh/，与英文版互不影响）。\n"
                "(This course has a Chinese edition: make lab EDITION=zh.)")
    return None


def cmd_edition(course: Course, args) -> int:
    from .edition import build

    if hint := locale_hint(args.edition):
        print(hint)
    if not (edition := _translated(course, args, "edition")):
        return 1
    course, lessons = edition
    try:
        names, report = build(course, Path(args.build), Path(args.workspace), lessons, args.edition)
    except NbgraderError as err:
        print(f"edition: {err}", file=sys.stderr)
        return 1
    print(f"Learner's edition ({args.edition}): {len(names)} lesson(s) in {args.workspace}/")
    print("\n".join(report.lines()))
    return 0


def cmd_translations(course: Course, args) -> int:
    from . import translation

    if args.diff:
        lesson, cell = args.diff
        _lessons(course, [lesson])
        print(translation.english_diff(course.source, Path(args.i18n), args.language, lesson, cell))
        return 0
    result = translation.status(course.source, Path(args.i18n), args.language, _lessons(course, args.lesson))
    print(translation.report(result, f"python -m coursetools translations --language {args.language}"))
    return 1 if result.errors or result.missing else 0


def _translated(course: Course, args, what: str) -> tuple[Course, list[str]] | None:
    """:func:`_edition_course` for the lessons named in ``args``; None, once the reason is
    printed, when the translations no longer match the English lessons."""
    from .translation import TranslationError

    try:
        return _edition_course(course, args, _lessons(course, args.lesson), what)
    except TranslationError as err:
        print(f"{what} {args.edition}: the translations do not match the English lessons "
              f"(python -m coursetools translations --language {args.edition} says how):\n{err}",
              file=sys.stderr)
        return None


def _edition_course(course: Course, args, lessons: list[str], what: str) -> tuple[Course, list[str]]:
    """The course in ``args.edition``'s language (for make edition and make handouts): the
    lessons with a translation, generated beside ``args.build``/``args.out``; untranslated
    ones are left out and listed (an error when named)."""
    from .edition import translated
    from .translation import catalogue_path

    if args.edition not in EDITIONS:
        raise UsageError(f"no edition {args.edition!r}: editions are {', '.join(EDITIONS)}")
    if args.edition == "en":
        return course, lessons
    i18n = Path(args.i18n).resolve()
    untranslated = [l for l in lessons if not catalogue_path(i18n, args.edition, l).is_file()]
    if args.lesson and untranslated:
        raise UsageError(f"not translated into {args.edition} yet: {', '.join(untranslated)}")
    if untranslated:
        print(f"{what} {args.edition}: not translated yet, left out: {', '.join(untranslated)}")
    where = Path(getattr(args, "build", None) or args.out).resolve()
    course = translated(course, args.edition, i18n, where.with_name(where.name + "-source"),
                        [l for l in lessons if l not in untranslated])
    return course, course.lessons()


def cmd_handouts(course: Course, args) -> int:
    from aiolab.messages import VARIABLE

    from .handouts import build

    if not (edition := _translated(course, args, "handouts")):
        return 1
    course, lessons = edition
    os.environ[VARIABLE] = args.edition         # the kernels that execute the lessons draw charts in it
    out = Path(args.out).resolve()
    handouts = build(course, out, lessons, args.jobs)
    for h in handouts:
        print(f"  {h.edition:9} {h.html.relative_to(out)}  +  {h.pdf.name}")
    print(f"{len(handouts)} handouts; index: {args.out}/index.html")
    return 0


def cmd_corpus(course: Course, args) -> int:
    from . import corpus

    manifests = {m.lesson: m for m in corpus.manifests(course.config_dir / "corpus")}
    unknown = [n for n in args.lesson if n not in manifests]
    if unknown:
        raise UsageError(f"no corpus for: {', '.join(unknown)}. Corpora: {', '.join(manifests)}")
    if args.runs < 1 or args.busy < 0:
        raise UsageError("--runs must be 1 or more and --busy 0 or more")
    chosen = [manifests[n] for n in args.lesson] if args.lesson else list(manifests.values())
    print(f"grading {sum(len(m.cases) for m in chosen)} sample submissions of {len(chosen)} lesson(s) "
          f"{args.runs} time(s), with {args.busy} busy process(es) alongside", flush=True)
    result = corpus.stability(chosen, args.runs, load=args.busy,
                              log=lambda line: print(line, flush=True))
    print(result.report())
    return 1 if result.wrong() or result.other else 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m coursetools",
                                description="The course's instructor and build commands (see make help).")
    p.add_argument("--course", default="autograder", help="the nbgrader course folder (default: autograder)")
    p.add_argument("--root", help="where nbgrader keeps release/, submitted/, autograded/, feedback/ and the "
                                  "gradebook (gradebook.db) for this course, e.g. the hub's course folder "
                                  "(default: the course folder and its configured gradebook)")
    sub = p.add_subparsers(dest="command", required=True)

    def command(name, func, help, lessons=True):
        c = sub.add_parser(name, help=help)
        c.set_defaults(func=func)
        if lessons:
            c.add_argument("lesson", nargs="*", help="lesson folders (default: every lesson)")
        return c

    c = command("release", cmd_release, "the student version of lessons, into <course>/release/")
    c.add_argument("--edition", default="en", help=f"the language: {', '.join(EDITIONS)} (default: en)")
    c.add_argument("--i18n", default="i18n", help="the folder of the translations (default: i18n)")
    c = command("collect", cmd_collect, "a folder or zip of <student>/<notebook>.ipynb into submitted/")
    c.add_argument("--from", dest="source", help="the folder or .zip holding the submissions")
    c = command("autograde", cmd_autograde, "grade the submitted notebooks, each in a sandbox")
    c.add_argument("--jobs", type=int, default=0, help="submissions graded at once (default: the number of cores)")
    c.add_argument("--progress", action="store_true", help="show the progress bar even when not on a terminal")
    command("feedback", cmd_feedback, "an HTML feedback page per student and lesson")
    c = command("grades", cmd_grades, "every score as one CSV", lessons=False)
    c.add_argument("--to", default="build/grades.csv")
    c = command("validate", cmd_validate, "run a notebook as the Validate button does", lessons=False)
    c.add_argument("notebook", nargs="?")
    c.add_argument("--config", help="folder of the nbgrader_config.py to use (default: <course>/learner)")
    c = command("edition", cmd_edition, "build the learner's edition and sync it into a workspace")
    c.add_argument("--build", default="build/learner-edition")
    c.add_argument("--workspace", default="workspace")
    c.add_argument("--edition", default="en", help=f"the language: {', '.join(EDITIONS)} (default: en)")
    c.add_argument("--i18n", default="i18n", help="the folder of the translations (default: i18n)")
    c = command("translations", cmd_translations,
                "stale or missing translations of the lessons' markdown (i18n/<language>/<lesson>.yml)")
    c.add_argument("--language", default="zh", help="the catalogues' language (default: zh)")
    c.add_argument("--i18n", default="i18n", help="the folder of the catalogues (default: i18n)")
    c.add_argument("--diff", nargs=2, metavar=("LESSON", "CELL"),
                   help="how a cell's English changed since it was translated (from git's history)")
    c = command("handouts", cmd_handouts, "every lesson executed, as HTML and PDF")
    c.add_argument("--out", default="build/handouts")
    c.add_argument("--edition", default="en", help=f"the language: {', '.join(EDITIONS)} (default: en)")
    c.add_argument("--i18n", default="i18n", help="the folder of the translations (default: i18n)")
    c.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    c = command("corpus", cmd_corpus, "grade the sample submissions of <course>/corpus/ and compare every score")
    c.add_argument("--runs", type=int, default=1, help="grade them this many times (every score must stay)")
    c.add_argument("--busy", type=int, default=0, help="CPU-bound processes to run alongside (load)")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        root = Path(args.root) if args.root else None
        course = Course(Path(args.course), root=root, db=root / "gradebook.db" if root else None)
        return args.func(course, args)
    except (UsageError, FileNotFoundError) as err:
        print(f"{args.command}: {err}", file=sys.stderr)
        return USAGE
