"""Hostile submissions graded by the real instructor commands, beside honest students.

One run (the module-scoped fixture ``graded``) does what an instructor does on a fresh copy
of the working tree: ``make release``, ``make collect FROM=<folder>`` with three honest
students and every attack of ``autograder/attacks/manifest.yml`` (student id = attack name),
``make autograde NOTEBOOK_TIMEOUT=60``, ``make feedback`` and ``make grades``. Meanwhile the
host is watched: a TCP listener on 127.0.0.1 and an abstract unix socket count what reaches
them, the repository, the venv, the IPython profile and every file owned by a sandbox uid are
compared before and after, and the processes of the sandbox uids are listed the moment
``make autograde`` returns.

Then one test per attack (its id is the attack's name) checks what that attack deserves: its
score, the summary row (graded or NOT GRADED with a reason), no ``PWNED`` marker in its
graded notebook or feedback page, nothing active from the submission in its feedback page,
and none of the host files it tried to write. Attacks the grader cannot stop yet are marked
``known_open`` in the manifest and are strict expected failures here. Global tests cover the
honest students, the host, leftover processes, the listeners and the grader's memory.

This checkout is compared before and after with ``git status``, but other people edit it
while the module runs: a difference counts as the attacks' doing only when a sandbox uid owns
the file or it carries an attack's name or marker; the others are listed in the report.

The grader's TMPDIR is a folder of this run, so its kernels' folders (and the command lines
of its kernels, which name their connection file) tell this run's sandboxes from those of
anyone grading on the same machine at the same time. ``VENV`` is given to make as this
checkout's real venv: the sandbox shows the venv under its real path, and a kernel started
through the copy's ``.venv`` link would not find its Python. Only lesson 00 is released (the
whole course's release costs 85 s more and grades nothing here).

``COURSE_ATTACKS="name name"`` grades only those attacks (with the honest students), for
writing a new one; the other attacks' tests then skip.
"""

from __future__ import annotations

import csv
import glob
import hashlib
import html
import json
import os
import re
import resource
import secrets
import select
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import psutil
import pytest
import yaml

from coursetools import corpus, sandbox
from test_readme_commands import env as clean_env
from test_readme_commands import fresh_copy

ROOT = Path(__file__).resolve().parent.parent
MANIFEST = ROOT / "autograder" / "attacks" / "manifest.yml"
KINDS = {"forge", "read", "write", "resources", "network", "class", "active"}
#: The uids sandboxes drop to (as root): one per sandbox running, from 64500 up.
SANDBOX_UIDS = range(sandbox.DEFAULT_UID, sandbox.DEFAULT_UID + getattr(getattr(sandbox, "UidClaim", None), "COUNT", 101))
MARKER = "PWN" + "ED"
NOTEBOOK_TIMEOUT = 60
PEAK_MEMORY = 2 * 1024 ** 3

#: Honest students: name -> (case of the corpus manifest, whole notebook or its exercise only,
#: as the attacks; a whole notebook costs 25 s more and is graded by test_readme_commands).
#: Their names sort first, in the middle (just after load-cpu-hog) and last, so they are
#: graded before, among and after the attacks, in the same sandbox slots.
HONEST = {"aaron": ("correct", False), "mia": ("waits-twice", False), "zoe": ("correct", False)}

pytestmark = [
    pytest.mark.slow,
    pytest.mark.attacks,
    pytest.mark.skipif(sandbox.why_unavailable() is not None,
                       reason=f"no sandbox here: {sandbox.why_unavailable()}"),
]


# ---- the manifest ------------------------------------------------------------------------

@dataclass
class Attack:
    name: str
    kind: str
    about: str
    answers: dict = field(default_factory=dict)
    edit: dict = field(default_factory=dict)
    cell_metadata: dict = field(default_factory=dict)
    cell_outputs: dict = field(default_factory=dict)
    cells: list = field(default_factory=list)
    notebook_metadata: dict = field(default_factory=dict)
    raw: str | None = None
    symlink: str | None = None
    nbformat: int | str | None = None
    duplicate_ids: bool = False
    expect: dict = field(default_factory=dict)
    graded: bool = True
    known_open: str = ""
    host_paths: list = field(default_factory=list)
    markers: list = field(default_factory=list)
    collect_may_refuse: bool = False


def load_manifest(path: Path = MANIFEST) -> tuple[dict, list[Attack]]:
    data = yaml.safe_load(path.read_text())
    return data, [Attack(name=name, **spec) for name, spec in data["attacks"].items()]


SETTINGS, ALL_ATTACKS = load_manifest()
LESSON, NOTEBOOK = SETTINGS["lesson"], SETTINGS["notebook"]
#: COURSE_ATTACKS="name name" grades only those attacks (while writing one); the others skip.
ONLY = os.environ.get("COURSE_ATTACKS", "").split()
ATTACKS = [a for a in ALL_ATTACKS if not ONLY or a.name in ONLY]
BY_NAME = {a.name: a for a in ATTACKS}


def fill(value, values: dict[str, str]):
    """``value`` with every ``{NAME}`` placeholder of ``values`` replaced, in every string."""
    if isinstance(value, str):
        for name, text in values.items():
            value = value.replace("{" + name + "}", text)
        return value
    if isinstance(value, list):
        return [fill(v, values) for v in value]
    if isinstance(value, dict):
        return {k: fill(v, values) for k, v in value.items()}
    return value


def merge(target: dict, extra: dict) -> None:
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            merge(target[key], value)
        else:
            target[key] = value


def build(attack: Attack, released: nbformat.NotebookNode) -> tuple[str | None, str | None]:
    """The file an attack hands in: (its text, None) or (None, the target of a symlink)."""
    if attack.symlink is not None:
        return None, attack.symlink
    if attack.raw is not None:
        return attack.raw, None
    nb = corpus.build_submission(released, corpus.Case(attack.name, attack.about, answers=attack.answers,
                                                       edit=attack.edit))
    by_id = {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in nb.cells}
    for grade_id, extra in attack.cell_metadata.items():
        merge(by_id[grade_id].metadata, extra)
    for grade_id, outputs in attack.cell_outputs.items():
        by_id[grade_id].outputs = [nbformat.from_dict(o) for o in outputs]
    for spec in attack.cells:
        make = {"code": nbformat.v4.new_code_cell, "markdown": nbformat.v4.new_markdown_cell,
                "raw": nbformat.v4.new_raw_cell}[spec["cell_type"]]
        cell = make(spec["source"].rstrip("\n"), metadata=spec.get("metadata", {}))
        anchor = nb.cells.index(by_id[spec.get("before") or spec["after"]])
        nb.cells.insert(anchor if spec.get("before") else anchor + 1, cell)
    nb.metadata.update(attack.notebook_metadata)
    if attack.nbformat == 3:
        return nbformat.writes(nbformat.convert(nb, 3), version=3), None
    data = json.loads(nbformat.writes(nb))
    if attack.nbformat is not None:
        major, minor = str(attack.nbformat).split(".")
        data["nbformat"], data["nbformat_minor"] = int(major), int(minor)
    if attack.duplicate_ids:
        data["cells"][-1]["id"] = by_id["add_later_tests"]["id"]
    return json.dumps(data, indent=1), None


# ---- watching the host -------------------------------------------------------------------

class Listener:
    """A TCP listener on 127.0.0.1 and an abstract unix socket, counting the bytes received."""

    def __init__(self) -> None:
        self.received = {"tcp": 0, "unix": 0}
        self.connections = {"tcp": 0, "unix": 0}
        self.tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.tcp.bind(("127.0.0.1", 0))
        self.tcp.listen(16)
        self.port = self.tcp.getsockname()[1]
        self.abstract = f"course-attack-listener-{secrets.token_hex(6)}"
        self.unix = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.unix.bind("\0" + self.abstract)
        self.unix.listen(16)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        kinds = {self.tcp: "tcp", self.unix: "unix"}
        open_conns: dict[socket.socket, str] = {}
        while not self._stop.is_set():
            ready, _, _ = select.select([*kinds, *open_conns], [], [], 0.2)
            for sock in ready:
                if sock in kinds:
                    conn, _ = sock.accept()
                    open_conns[conn] = kinds[sock]
                    self.connections[kinds[sock]] += 1
                else:
                    data = sock.recv(65536)
                    if data:
                        self.received[open_conns[sock]] += len(data)
                    else:
                        open_conns.pop(sock).close()
        for sock in [*kinds, *open_conns]:
            sock.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)


def sha(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "dir"
    except OSError:
        return "unreadable"


def tree(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): sha(p) for p in sorted(folder.rglob("*")) if p.is_file()}


def site_files() -> set[str]:
    found = set()
    for prefix in {sys.prefix, sys.base_prefix}:
        for folder in glob.glob(f"{prefix}/lib/python*/site-packages"):
            found |= {p for p in glob.glob(f"{folder}/*") if p.endswith(".pth") or "customize" in p or "pwned" in p}
    return found


def uid_files(roots=("/tmp", "/root", "/work", "/var/tmp", "/dev/shm")) -> set[str]:
    done = subprocess.run(["find", *[r for r in roots if os.path.isdir(r)], "-xdev",
                           "-uid", f"+{SANDBOX_UIDS.start - 1}", "-uid", f"-{SANDBOX_UIDS.stop}"],
                          capture_output=True, text=True)
    return set(filter(None, done.stdout.splitlines()))


def repo_status() -> dict[str, str]:
    """This checkout's changed and untracked files, each with its content's hash."""
    out = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all", "-z"], cwd=ROOT,
                         capture_output=True, text=True).stdout
    status = {}
    for entry in filter(None, out.split("\0")):
        path = entry[3:]
        status[path] = f"{entry[:2]} {sha(ROOT / path)}"
    return status


def startup_files() -> set[str]:
    folder = Path.home() / ".ipython" / "profile_default" / "startup"
    return {p.name for p in folder.iterdir()} if folder.is_dir() else set()


@dataclass
class HostState:
    repo: dict
    copy: dict
    site: set
    startup: set
    uid_files: set

    @classmethod
    def now(cls, copy: Path) -> "HostState":
        return cls(repo_status(), {d: tree(copy / d) for d in ("src", "notebooks", "autograder/corpus")},
                   site_files(), startup_files(), uid_files())


def attributable(path: str) -> bool:
    """A changed file of this checkout is the attacks' doing when a sandbox uid owns it or
    it carries an attack's name or marker (other people edit this checkout meanwhile)."""
    p = Path(path)
    if "pwned" in path.lower():
        return True
    try:
        if p.stat().st_uid in SANDBOX_UIDS:
            return True
        return p.is_file() and MARKER.encode() in p.read_bytes()
    except OSError:
        return False


def host_changes(before: HostState, after: HostState, hosttmp: Path) -> list[str]:
    changes = []
    for path in sorted(set(after.repo) - set(before.repo) | {p for p in after.repo if after.repo[p] != before.repo.get(p)}):
        if attributable(str(ROOT / path)):
            changes.append(f"this checkout: {path} ({after.repo[path]})")
    for folder, files in after.copy.items():
        old = before.copy[folder]
        changes += [f"the graded course: {folder}/{p}" for p in sorted(files) if old.get(p) != files[p]]
        changes += [f"the graded course: {folder}/{p} removed" for p in sorted(set(old) - set(files))]
    changes += [f"site-packages: {p}" for p in sorted(after.site - before.site)]
    changes += [f"the IPython profile's startup folder: {p}" for p in sorted(after.startup - before.startup)]
    for path in sorted(after.uid_files - before.uid_files):
        theirs = not path.startswith(str(hosttmp)) and re.search(r"/ipc(/[^/]*)?$", path) and "pwned" not in path
        if not theirs and os.path.lexists(path):     # others' kernels' folders come and go meanwhile
            changes.append(f"owned by a sandbox uid: {path}")
    return changes


def pwned_files() -> list[str]:
    """Files named like the attacks' writes anywhere the host keeps things."""
    done = subprocess.run(["find", "/tmp", "/root", "/work", "/var/tmp", "/dev/shm", "/etc", "-xdev",
                           "-iname", "*pwned*"], capture_output=True, text=True)
    return sorted(filter(None, done.stdout.splitlines()))


def sandbox_processes(hosttmp: Path, since: float) -> list[str]:
    """Processes of the sandbox uids that belong to this run: their command line, or an
    ancestor's, names this run's TMPDIR; or they started during it and no bubblewrap is
    above them (they left their sandbox)."""
    found = []
    for proc in psutil.process_iter(["pid", "uids", "cmdline", "create_time", "name"]):
        try:
            if proc.info["uids"] is None or proc.info["uids"].real not in SANDBOX_UIDS:
                continue
            chain = [proc, *proc.parents()]
            commands = [" ".join(p.cmdline()) for p in chain]
            ours = any(str(hosttmp) in c for c in commands)
            escaped = proc.info["create_time"] >= since and not any(p.name() == "bwrap" for p in chain[1:])
            if ours or escaped:
                found.append(f"pid {proc.pid} uid {proc.info['uids'].real}: {commands[0][:200]}")
        except psutil.Error:
            continue
    return found


# ---- the feedback page's active content -----------------------------------------------------

URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "xlink:href", "srcdoc", "background",
                  "poster", "codebase", "cite", "content"}


class ActiveParts(HTMLParser):
    """Everything in a page that can run: script elements (with their text), event-handler
    attributes, javascript:/vbscript: URLs, frames, objects, embeds and meta refreshes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._script: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        shown = "".join(f" {k}={v!r}" for k, v in attrs)
        if tag == "script":
            self._script = [f"<script{shown}>"]
            return
        active = tag in {"iframe", "frame", "frameset", "object", "embed", "applet", "base"} or (
            tag == "meta" and any(k == "http-equiv" and (v or "").lower() == "refresh" for k, v in attrs))
        for key, value in attrs:
            squeezed = re.sub(r"[\s\x00-\x1f]", "", html.unescape(value or "")).lower()
            active = active or key.startswith("on") or (
                key in URL_ATTRIBUTES and re.search(r"(^|url=)(javascript|vbscript|data:text/html)", squeezed))
        if active:
            self.parts.append(f"<{tag}{shown}>")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag == "script":
            self.handle_endtag(tag)

    def handle_data(self, data):
        if self._script is not None:
            self._script.append(data)

    def handle_endtag(self, tag):
        if tag == "script" and self._script is not None:
            self.parts.append("".join(self._script) + "</script>")
            self._script = None


def active_parts(page: str) -> list[str]:
    parser = ActiveParts()
    parser.feed(page)
    parser.close()
    if parser._script is not None:                  # a script left open runs too
        parser.parts.append("".join(parser._script))
    return parser.parts


# ---- the run ---------------------------------------------------------------------------------

@dataclass
class Row:
    student: str
    seconds: int
    score: str
    result: str


@dataclass
class Run:
    copy: Path
    hosttmp: Path
    outputs: dict[str, tuple[int, str, float]]           # command -> (status, output, seconds)
    rows: dict[str, Row]
    rows_seen: list[str]
    scores: dict[str, dict[str, float]]                 # student -> grade_id -> score
    totals: dict[str, tuple[float, float]]              # student -> (raw_score, max_score) of the CSV
    autograded: dict[str, str]                          # student -> graded notebook's text ("" if none)
    pages: dict[str, str]                               # student -> feedback page ("" if none)
    baseline: set[str]                                  # nbconvert's own active parts (an honest page)
    secrets: list[str]
    host: list[str]
    unattributed: list[str]
    pwned: list[str]
    leftovers: list[str]
    listener: dict[str, int]
    connections: dict[str, int]
    peak_memory: int
    seconds: float

    def foreign_active(self, student: str) -> list[str]:
        return [p for p in active_parts(self.pages.get(student, "")) if p not in self.baseline]


def make(copy: Path, command: str, extra_env: dict[str, str], timeout: float = 1200) -> tuple[int, str, float]:
    started = time.monotonic()
    done = subprocess.run(command.split(), cwd=copy, env={**clean_env(), **extra_env}, text=True, timeout=timeout,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    return done.returncode, done.stdout, time.monotonic() - started


SUMMARY_ROW = re.compile(rf"^(?P<student>\S+)\s+{re.escape(LESSON)}\s+(?P<seconds>\d+)s\s+(?P<score>-|[\d.]+ / [\d.]+)\s+"
                         r"(?P<result>graded|NOT GRADED: .*)$")


def build_submissions(copy: Path, folder: Path, values: dict[str, str]) -> None:
    released = nbformat.read(copy / "autograder" / "release" / LESSON / NOTEBOOK, as_version=4)
    exercise = corpus.exercises_only(released)
    cases = {c.name: c for m in corpus.manifests() if m.lesson == LESSON for c in m.cases}
    for student, (case, whole) in HONEST.items():
        (folder / student).mkdir(parents=True)
        nbformat.write(corpus.build_submission(released if whole else exercise, cases[case]),
                       folder / student / NOTEBOOK)
    for attack in ATTACKS:
        text, link = build(fill_attack(attack, values), exercise)
        target = folder / attack.name / NOTEBOOK
        target.parent.mkdir(parents=True)
        if link is not None:
            target.symlink_to(link)
        else:
            target.write_text(text)


def fill_attack(attack: Attack, values: dict[str, str]) -> Attack:
    return Attack(**fill(attack.__dict__, values))


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> Run:
    started = time.monotonic()
    base = tmp_path_factory.mktemp("attacks")
    hosttmp = base / "grader-tmp"
    hosttmp.mkdir()
    copy = fresh_copy(base / "course")
    secret_value, file_token = f"secret-{secrets.token_hex(12)}", f"instructor-only-{secrets.token_hex(12)}"
    secret_file = copy / "autograder" / "instructor-only.txt"
    secret_file.write_text(file_token + "\n")
    secret_file.chmod(0o600)
    submissions = base / "submissions"
    listener = Listener()
    values = {"PORT": str(listener.port), "ABSTRACT": listener.abstract, "COPY": str(copy), "REPO": str(ROOT),
              "HOSTTMP": str(hosttmp), "SUBMISSIONS": str(submissions), "SECRET_NAME": "COURSE_GRADER_SECRET",
              "SECRET_FILE": str(secret_file), "BASE": sys.base_prefix}
    extra_env = {"TMPDIR": str(hosttmp), values["SECRET_NAME"]: secret_value}
    venv = f"VENV={Path(sys.prefix).resolve()}"
    outputs = {}
    leftovers: list[str] = []
    try:
        before = HostState.now(copy)
        pwned_before = set(pwned_files())
        outputs["release"] = make(copy, f"make release LESSON={LESSON} {venv}", extra_env)     # all lessons: 85 s more
        assert outputs["release"][0] == 0, outputs["release"][1][-4000:]
        build_submissions(copy, submissions, values)
        outputs["collect"] = make(copy, f"make collect FROM={submissions} {venv}", extra_env)
        assert outputs["collect"][0] == 0, outputs["collect"][1][-4000:]
        grading_started = time.time()
        outputs["autograde"] = make(copy, f"make autograde NOTEBOOK_TIMEOUT={NOTEBOOK_TIMEOUT} {venv}", extra_env)
        deadline = time.monotonic() + 3        # SIGKILL and PDEATHSIG take a moment to land
        while (leftovers := sandbox_processes(hosttmp, grading_started)) and time.monotonic() < deadline:
            time.sleep(0.5)
        outputs["feedback"] = make(copy, f"make feedback {venv}", extra_env)
        outputs["grades"] = make(copy, f"make grades {venv}", extra_env)
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
        after = HostState.now(copy)
        listener.close()

        course = copy / "autograder"
        students = sorted([*HONEST, *BY_NAME])
        rows, seen = {}, []
        for line in outputs["autograde"][1].splitlines():
            found = SUMMARY_ROW.match(line.rstrip())
            if found:
                seen.append(found["student"])
                rows[found["student"]] = Row(found["student"], int(found["seconds"]), found["score"], found["result"])
        scores = {}
        from nbgrader.api import Gradebook, MissingEntry
        with Gradebook(f"sqlite:///{course / 'gradebook' / 'gradebook.db'}") as gb:
            for student in students:
                try:
                    sub = gb.find_submission_notebook(Path(NOTEBOOK).stem, LESSON, student)
                    scores[student] = {g.name: g.score for g in sub.grades}
                except MissingEntry:
                    scores[student] = {}
        totals = {}
        if (copy / "build" / "grades.csv").is_file():
            with open(copy / "build" / "grades.csv") as fh:
                totals = {r["student_id"]: (float(r["raw_score"]), float(r["max_score"]))
                          for r in csv.DictReader(fh) if r["assignment"] == LESSON}

        def text(path: Path) -> str:
            return path.read_text(errors="replace") if path.is_file() else ""
        autograded = {s: text(course / "autograded" / s / LESSON / NOTEBOOK) for s in students}
        pages = {s: text(course / "feedback" / s / LESSON / Path(NOTEBOOK).with_suffix(".html").name) for s in students}
        baseline = set(active_parts(pages["aaron"]))
        changes = host_changes(before, after, hosttmp)
        unattributed = sorted(p for p in set(after.repo) | set(before.repo)
                              if after.repo.get(p) != before.repo.get(p) and not attributable(str(ROOT / p)))
        run = Run(copy, hosttmp, outputs, rows, seen, scores, totals, autograded, pages, baseline,
                  [secret_value, file_token], changes, unattributed, sorted(set(pwned_files()) - pwned_before),
                  leftovers, dict(listener.received), dict(listener.connections), peak, time.monotonic() - started)
        print(report(run))
        yield run
    finally:
        listener.close()
        for line in leftovers:                  # this run's processes only, by their id
            try:
                os.kill(int(line.split()[1]), 9)
            except (OSError, ValueError):
                pass
        for attack in ATTACKS:                  # what a successful write left on the host
            for pattern in fill(attack.host_paths, values):
                for path in glob.glob(pattern, recursive=True):
                    if "pwned" in path and os.path.isfile(path):
                        os.remove(path)


def report(run: Run) -> str:
    lines = [f"attacks module: {run.seconds:.0f} s; " + ", ".join(f"make {k} {v[2]:.0f} s (exit {v[0]})"
                                                                  for k, v in run.outputs.items()),
             f"grader's peak memory {run.peak_memory / 1024 ** 2:.0f} MB; listener {run.listener}, "
             f"connections {run.connections}; leftover processes {len(run.leftovers)}; host changes {len(run.host)}"]
    if run.unattributed:
        lines.append(f"changed meanwhile in this checkout, not by the attacks: {', '.join(run.unattributed)}")
    for student, row in sorted(run.rows.items()):
        lines.append(f"  {student:40} {row.seconds:4d}s {row.score:>9}  {row.result[:110]}")
    return "\n".join(lines)


# ---- what each attack deserves ----------------------------------------------------------------

def attack_problems(run: Run, attack: Attack) -> list[str]:
    name = attack.name
    problems = []
    row = run.rows.get(name)
    if row is None and attack.collect_may_refuse and not any(run.scores.get(name, {}).values()) \
            and not (run.totals.get(name) or (0,))[0] and MARKER not in run.pages.get(name, ""):
        return []                       # make collect left it out: nothing of it was graded
    if row is None:
        problems.append("no row in make autograde's summary table")
    elif attack.graded and row.result != "graded":
        problems.append(f"should have been graded, but: {row.result}")
    elif not attack.graded and not (row.result.startswith("NOT GRADED: ") and len(row.result) > len("NOT GRADED: ") + 5):
        problems.append(f"should be NOT GRADED with a reason, but: {row.result}")
    got = run.scores.get(name, {})
    for grade_id, expected in attack.expect.items():
        if got.get(grade_id) != expected:
            problems.append(f"{grade_id} scored {got.get(grade_id)}, deserves {expected}")
    total = run.totals.get(name)
    if total is None or total[0] != sum(attack.expect.values()):
        problems.append(f"grades.csv gives {total}, deserves {sum(attack.expect.values())}")
    if not run.pages.get(name):
        problems.append("no feedback page")
    for what, text in (("graded notebook", run.autograded.get(name, "")), ("feedback page", run.pages.get(name, ""))):
        for line in text.splitlines():
            if MARKER in line:
                problems.append(f"its {what} shows {line.strip()[:300]}")
                break
        for secret in run.secrets:
            if secret in text:
                problems.append(f"its {what} shows a secret of the grader ({secret[:12]}...)")
    foreign = run.foreign_active(name)
    problems += [f"active in its feedback page: {p[:200]}" for p in foreign]
    for marker in attack.markers:
        if any(marker in p for p in active_parts(run.pages.get(name, ""))):
            problems.append(f"its marker {marker} is active in the feedback page")
    problems += [f"the host has {p}" for p in run.pwned if name in p]
    problems += [f"host changed: {c}" for c in run.host if name in c]
    if attack.kind == "network":
        kind = "unix" if "unix" in name else "tcp"
        if run.listener[kind] or run.connections[kind]:
            problems.append(f"the host's {kind} listener got {run.connections[kind]} connection(s), "
                            f"{run.listener[kind]} bytes")
    if attack.kind == "resources":
        problems += [f"left running after make autograde: {p}" for p in run.leftovers]
        if run.peak_memory >= PEAK_MEMORY:
            problems.append(f"the grader's peak memory was {run.peak_memory / 1024 ** 2:.0f} MB")
    if attack.kind in ("class", "resources"):
        # A bad file or a greedy kernel fails its own submission only; a load on the CPU
        # (the attack graded beside an honest student) must not move their scores either.
        problems += honest_problems(run, scores=name.startswith("load-"))
    return problems


def honest_problems(run: Run, scores: bool = True) -> list[str]:
    """What went wrong for the honest students: not graded, or (``scores``) not the corpus's score."""
    cases = {c.name: c for m in corpus.manifests() if m.lesson == LESSON for c in m.cases}
    problems = []
    for student, (case, _) in HONEST.items():
        expected = cases[case].expected()
        row = run.rows.get(student)
        if row is None or row.result != "graded":
            problems.append(f"honest student {student} was not graded: {row}")
        if scores and run.scores.get(student) != expected:
            problems.append(f"honest student {student} scored {run.scores.get(student)}, deserves {expected}")
    return problems


def _param(attack: Attack):
    marks = [pytest.mark.xfail(strict=True, reason=f"known open: {attack.known_open}")] if attack.known_open else []
    return pytest.param(attack.name, marks=marks, id=attack.name)


@pytest.mark.parametrize("name", [_param(a) for a in ALL_ATTACKS])
def test_attack(graded, name):
    if name not in BY_NAME:
        pytest.skip("not in COURSE_ATTACKS")
    attack = BY_NAME[name]
    problems = attack_problems(graded, attack)
    assert not problems, f"{name} ({attack.kind}: {attack.about}):\n  " + "\n  ".join(problems)


# ---- everyone else, and the host ---------------------------------------------------------------

def test_the_manifest_covers_every_kind():
    assert len(ALL_ATTACKS) >= 32
    assert {a.kind for a in ALL_ATTACKS} == KINDS
    for attack in ALL_ATTACKS:
        assert attack.kind in KINDS and attack.about and attack.expect, attack.name
        assert not set(HONEST) & {attack.name}
        assert MARKER not in json.dumps(attack.__dict__), f"{attack.name}: build the marker at run time"
        assert set(attack.expect) == {"add_later_tests"}, attack.name


def test_autograde_reports_every_student(graded):
    status, output, _ = graded.outputs["autograde"]
    # A submission make collect refused (a link) never reaches autograde; collect names it.
    refused = {name for name, attack in BY_NAME.items()
               if attack.collect_may_refuse and name not in graded.rows_seen
               and f"{name}/" in graded.outputs["collect"][1] and "left out" in graded.outputs["collect"][1]}
    students = sorted(s for s in [*HONEST, *BY_NAME] if s not in refused)
    assert sorted(graded.rows_seen) == students, output[-6000:]
    not_graded = [s for s in students if graded.rows[s].result != "graded"]
    assert (status != 0) == bool(not_graded), (
        f"make autograde exited {status} with {len(not_graded)} submission(s) not graded: its exit status must "
        "say whether every submission was graded")
    assert re.search(rf"{len([s for s in students if graded.rows[s].result == 'graded'])} submission\(s\) graded", output)
    for step in ("feedback", "grades"):
        assert graded.outputs[step][0] == 0, graded.outputs[step][1][-4000:]


def test_honest_students_keep_their_scores(graded):
    problems = honest_problems(graded)
    assert not problems, "\n".join(problems)
    cases = {c.name: c for m in corpus.manifests() if m.lesson == LESSON for c in m.cases}
    for student, (case, _) in HONEST.items():
        assert graded.totals[student][0] == sum(cases[case].expected().values())
        assert graded.autograded[student] and graded.pages[student], f"{student}: no graded notebook or feedback page"
        assert MARKER not in graded.autograded[student] + graded.pages[student]
        assert not graded.foreign_active(student)


def test_a_submission_not_graded_says_why(graded):
    """The reason in the summary table is what an instructor acts on: it must name the
    problem (the exception, the time limit), not point at a traceback nobody is shown."""
    vague = {s: r.result for s, r in graded.rows.items()
             if r.result != "graded" and re.search(r"see the (the )?above traceback|printed nothing", r.result)}
    assert not vague, "\n".join(f"{s}: {r}" for s, r in sorted(vague.items()))


def test_the_host_is_untouched(graded):
    assert not graded.host, "\n".join(graded.host)
    assert not graded.pwned, "\n".join(graded.pwned)


def test_no_sandbox_process_outlives_grading(graded):
    assert not graded.leftovers, "\n".join(graded.leftovers)


def test_the_hosts_listeners_received_nothing(graded):
    assert graded.listener == {"tcp": 0, "unix": 0} and graded.connections == {"tcp": 0, "unix": 0}


def test_the_graders_memory_stays_under_2_gb(graded):
    assert graded.peak_memory < PEAK_MEMORY, f"{graded.peak_memory / 1024 ** 2:.0f} MB"
