"""The grading sandbox (coursetools.sandbox) and the preprocessors that grade with it
(coursetools.preprocessors), each requirement on its own: what a kernel can reach, what it
can use, how a notebook's time and output are bounded, and how a verdict is recorded.

The whole workflow under attack (make release/collect/autograde/feedback with hostile
submissions beside honest ones) is tests/test_attacks.py.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from coursetools import preprocessors, sandbox

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(sandbox.why_unavailable() is not None,
                                reason=f"no sandbox here: {sandbox.why_unavailable()}")


@pytest.fixture
def uid():
    """A sandbox uid of the test's own, as the grader claims one per slot: a sandbox sharing
    its uid with another (a grading kernel of a parallel test) shares its process limit."""
    claim = sandbox.UidClaim()
    yield claim.uid
    claim.release()


def ipc_folder(tmp_path: Path, uid: int) -> Path:
    ipc = tmp_path / "ipc"
    ipc.mkdir(exist_ok=True)
    if os.geteuid() == 0:
        os.chown(ipc, uid, uid)
    return ipc


def in_sandbox(code: str, tmp_path: Path, uid: int, **limits) -> subprocess.CompletedProcess:
    """Run ``code`` with the venv's Python inside a sandbox, as a kernel would be."""
    argv = sandbox.bwrap_argv([sys.executable, "-c", code], ipc_dir=ipc_folder(tmp_path, uid), uid=uid,
                              limits=sandbox.Limits(**limits) if limits else sandbox.LIMITS)
    return subprocess.run(argv, capture_output=True, text=True, timeout=120)


def test_the_kernel_runs_unprivileged_with_a_fresh_home(tmp_path, uid):
    done = in_sandbox("import os; print(os.getuid(), os.getcwd(), sorted(os.listdir('.')))", tmp_path, uid)
    uid, cwd, listing = done.stdout.split(" ", 2)
    assert done.returncode == 0, done.stderr
    assert int(uid) != 0 and cwd == sandbox.HOME and listing.strip() == "[]"


def test_a_venv_reached_through_a_link_runs(tmp_path, uid):
    """A clone whose .venv is a link to a venv elsewhere: the sandbox shows the venv at its
    real path, and the program is called by that path."""
    (tmp_path / "clone").mkdir()
    (tmp_path / "clone" / ".venv").symlink_to(Path(sys.prefix).resolve())
    python = tmp_path / "clone" / ".venv" / "bin" / Path(sys.executable).name
    done = subprocess.run(sandbox.bwrap_argv([str(python), "-c", "import aiolab; print('ran')"],
                                             ipc_dir=ipc_folder(tmp_path, uid), uid=uid),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "ran" in done.stdout, done.stderr


def test_course_files_and_other_submissions_are_out_of_sight(tmp_path, uid):
    secret = tmp_path / "classmate.ipynb"
    secret.write_text("{}")
    code = ("import os\n"
            f"for p in [{str(ROOT / 'notebooks')!r}, {str(ROOT / 'autograder')!r}, {str(secret)!r}, '/root/.ssh']:\n"
            "    print(p, os.path.exists(p))\n"
            "import aiolab, coursetools; print('imports', 'ok')")
    done = in_sandbox(code, tmp_path, uid)
    assert done.returncode == 0, done.stderr
    assert "True" not in done.stdout.replace("imports ok", ""), done.stdout
    assert "imports ok" in done.stdout          # what the checks need is there


def test_hidden_checks_judged_outside_are_empty_inside(tmp_path, uid):
    """Every lesson's exercises are judged outside the kernel, so every lesson's hidden
    checks stay out of the sandbox: their files (source and bytecode) cannot be read, and
    they cannot be imported."""
    hidden = sandbox.hidden_files()
    from coursetools.checks import lesson00, lesson05, lesson10

    for module in (lesson00, lesson05, lesson10):
        assert Path(module.__file__).resolve() in hidden      # wherever coursetools is installed
    code = ("for name in ('lesson00', 'lesson05', 'lesson10'):\n"
            "    try:\n"
            "        __import__('coursetools.checks.' + name)\n"
            "        print('IMPORTED', name)\n"
            "    except ImportError as err:\n"
            "        print('import refused', name)\n"
            f"for p in {[str(p) for p in hidden]!r}:\n"
            "    try:\n"
            "        print('READ' if open(p, 'rb').read() else 'empty')\n"
            "    except OSError:\n"
            "        print('refused')\n")
    done = in_sandbox(code, tmp_path, uid)
    assert done.returncode == 0, done.stderr
    assert "READ" not in done.stdout and "IMPORTED" not in done.stdout, done.stdout
    assert done.stdout.count("import refused") == 3, done.stdout


def test_the_file_system_is_read_only_but_scratch_space(tmp_path, uid):
    code = ("import os, sys\n"
            "for p in [os.path.join(sys.prefix, 'evil.pth'), '/etc/evil', '/usr/evil']:\n"
            "    try:\n"
            "        open(p, 'w'); print('WROTE', p)\n"
            "    except OSError as e:\n"
            "        print('refused', type(e).__name__)\n"
            "open('/tmp/ok', 'w').write('x'); open('notes.txt', 'w').write('x'); print('scratch ok')")
    done = in_sandbox(code, tmp_path, uid)
    assert "WROTE" not in done.stdout and done.stdout.count("refused") == 3, done.stdout + done.stderr
    assert "scratch ok" in done.stdout
    assert not (Path(sys.prefix) / "evil.pth").exists()


def test_process_pools_work_inside(tmp_path, uid):
    """Lessons run process pools (lesson 06): their semaphores need a writable /dev/shm."""
    code = ("import multiprocessing\n"
            "from concurrent.futures import ProcessPoolExecutor\n"
            "if __name__ == '__main__':\n"
            "    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context('spawn')) as pool:\n"
            "        print('pool', sum(pool.map(abs, [-1, -2, 3])))\n")
    done = in_sandbox(code, tmp_path, uid)
    assert "pool 6" in done.stdout, done.stderr


def test_no_network_but_its_own_loopback(tmp_path, uid):
    import socket

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    port = listener.getsockname()[1]
    code = ("import socket\n"
            f"s = socket.socket(); s.settimeout(2); print('host', s.connect_ex(('127.0.0.1', {port})))\n"
            "s = socket.socket(); s.settimeout(2); print('out', s.connect_ex(('1.1.1.1', 80)))\n"
            "srv = socket.socket(); srv.bind(('127.0.0.1', 0)); srv.listen()\n"
            "c = socket.create_connection(srv.getsockname(), timeout=2); print('own loopback ok')")
    try:
        done = in_sandbox(code, tmp_path, uid)
    finally:
        listener.close()
    lines = dict(line.split(" ", 1) for line in done.stdout.splitlines() if " " in line)
    assert lines["host"] != "0" and lines["out"] != "0", done.stdout    # refused / unreachable
    assert "own loopback ok" in done.stdout, done.stderr


def test_limits_hold(tmp_path, uid):
    code = ("import os, resource\n"
            "try:\n"
            "    b = bytearray(300 * 1024 * 1024); print('ALLOCATED')\n"
            "except MemoryError:\n"
            "    print('memory refused')\n"
            "try:\n"
            "    open('/tmp/big', 'wb').write(b'x' * (3 * 1024 * 1024)); print('WROTE BIG')\n"
            "except OSError:\n"
            "    print('file size refused')\n"
            "kids = 0\n"
            "try:\n"
            "    for _ in range(60):\n"
            "        if os.fork() == 0:\n"
            "            import time; time.sleep(5); os._exit(0)\n"
            "        kids += 1\n"
            "except OSError:\n"
            "    pass\n"
            "print('forked', kids)\n")
    done = in_sandbox(code, tmp_path, uid, memory=200 * sandbox.MB, file_size=2 * sandbox.MB, processes=20)
    assert "memory refused" in done.stdout and "file size refused" in done.stdout, done.stdout + done.stderr
    forked = int(done.stdout.split("forked ")[1].split()[0])
    assert forked < 20, done.stdout


def test_processes_together_stay_under_the_memory_total(tmp_path, uid):
    """Three processes holding 300 MB each, in a sandbox whose total is 400 MB: the one that
    goes over is killed, so at most one holds its 300 MB at any time (RLIMIT_AS alone, per
    process, would let all three through)."""
    group = sandbox.MemoryGroup.make(f"test-{os.getpid()}", 400 * sandbox.MB)
    if group is None:
        pytest.skip("no memory cgroup can be made here (not root, or no writable cgroup)")
    code = ("import os, time\n"
            "pids = []\n"
            "for _ in range(3):\n"
            "    pid = os.fork()\n"
            "    if pid == 0:\n"
            "        hog = bytearray(300_000_000)\n"
            "        for i in range(0, len(hog), 4096): hog[i] = 1\n"
            "        time.sleep(3)\n"
            "        os._exit(7)\n"
            "    pids.append(pid)\n"
            "held = sum(os.WEXITSTATUS(os.waitpid(p, 0)[1]) == 7 for p in pids)\n"
            "print('held', held)\n")
    try:
        done = subprocess.run(group.wrap(sandbox.bwrap_argv([sys.executable, "-c", code],
                                                            ipc_dir=ipc_folder(tmp_path, uid), uid=uid)),
                              capture_output=True, text=True, timeout=120)
    finally:
        group.remove()
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "held 1", done.stdout
    assert not group.path.exists()


def test_every_process_dies_with_the_sandbox(tmp_path, uid):
    """A child left sleeping in the background is killed when the sandbox's process ends."""
    import psutil

    code = ("import os, subprocess, sys\n"
            "subprocess.Popen(['sleep', '300'], start_new_session=True)\n"
            "print('started', flush=True)\n")
    done = in_sandbox(code, tmp_path, uid)
    assert "started" in done.stdout
    time.sleep(0.5)
    left = [p for p in psutil.process_iter(["cmdline", "uids"])
            if p.info["cmdline"] == ["sleep", "300"]]
    assert not left, f"processes outlived the sandbox: {left}"


def test_sandboxes_running_together_never_share_a_uid():
    claims = [sandbox.UidClaim() for _ in range(3)]
    try:
        assert len({c.uid for c in claims}) == 3
        assert all(c.uid >= sandbox.DEFAULT_UID for c in claims)
    finally:
        for claim in claims:
            claim.release()


# ---- preprocessors ------------------------------------------------------------------------

def graded(cell, grade_id: str, points: float = 2, solution: bool = False):
    cell.metadata["nbgrader"] = {"grade": True, "solution": solution, "locked": not solution,
                                 "grade_id": grade_id, "points": points, "schema_version": 3}
    return cell


@pytest.mark.skipif(os.geteuid() != 0, reason="an ordinary user's sandboxes keep the user's uid")
def test_a_kernel_started_outside_a_grading_slot_claims_a_uid_of_its_own(monkeypatch):
    """make validate and tests start kernels with no slot's uid given: each claims a free uid
    for its life, never one another sandbox holds (whose threads would count against its
    process limit: on 3.15 a sandbox with a limit of 20 could not even start beside one)."""
    monkeypatch.delenv(sandbox.UID_VARIABLE, raising=False)
    held = sandbox.UidClaim()
    try:
        nb = _one_cell()
        nb.cells[0].source = "import os; print(os.getuid())"
        nb, _ = preprocessors.SandboxedExecute(timeout=60).preprocess(nb, {"metadata": {"path": "."}})
        kernel_uid = int(nb.cells[0].outputs[0]["text"])
    finally:
        held.release()
    assert kernel_uid >= sandbox.DEFAULT_UID and kernel_uid != held.uid
    again = sandbox.UidClaim()      # the kernel's claim ended with it
    again.release()
    assert again.uid <= kernel_uid


def test_execution_tags_are_stripped():
    nb = new_notebook(cells=[new_code_cell("1", metadata={"tags": ["skip-execution", "keep-me"]}),
                             new_code_cell("2", metadata={"tags": ["raises-exception"], "execution": {}})])
    nb, _ = preprocessors.StripExecutionTags().preprocess(nb, {})
    assert nb.cells[0].metadata["tags"] == ["keep-me"]
    assert "tags" not in nb.cells[1].metadata and "execution" not in nb.cells[1].metadata


def test_a_test_cell_scores_only_by_reporting_its_score():
    score = new_output("execute_result", data={"text/plain": "1.5"}, execution_count=1)
    silent = graded(new_code_cell("checks()"), "silent")
    printed = graded(new_code_cell("checks()", outputs=[new_output("stream", name="stdout", text="2\n")]), "printed")
    scored = graded(new_code_cell("checks()", outputs=[score]), "scored")
    failed = graded(new_code_cell("checks()", outputs=[new_output("error", ename="E", evalue="", traceback=[])]),
                    "failed")
    answer = graded(new_code_cell("def f(): pass"), "answer", solution=True)
    nb = new_notebook(cells=[answer, silent, printed, scored, failed])
    nb, _ = preprocessors.ScoreRequired().preprocess(nb, {})
    errors = [[o.get("ename") for o in c.outputs if o.output_type == "error"] for c in nb.cells]
    assert errors == [[], ["NoScore"], ["NoScore"], [], ["E"]]


def test_outputs_are_reused_from_the_executed_copy_or_the_reason_recorded(tmp_path, monkeypatch):
    test = graded(new_code_cell("check()"), "add_tests")
    nb = new_notebook(cells=[new_markdown_cell("hi"), new_code_cell("x = 1"), test])
    executed = nbformat.from_dict(nb)
    executed.cells[2].outputs = [new_output("execute_result", data={"text/plain": "2"}, execution_count=2)]
    folder = tmp_path / "ada" / "00-lesson"
    folder.mkdir(parents=True)
    nbformat.write(executed, folder / "lesson.ipynb")
    monkeypatch.setenv(preprocessors.REUSE_VARIABLE, str(tmp_path))
    resources = {"nbgrader": {"student": "ada", "assignment": "00-lesson", "notebook": "lesson"}}

    got, _ = preprocessors.ReuseExecuted().preprocess(nbformat.from_dict(nb), resources)
    assert got.cells[2].outputs[0]["data"]["text/plain"] == "2"

    (folder / preprocessors.REASON_FILE).write_text("it took longer than 60 s of real time\n")
    got, _ = preprocessors.ReuseExecuted().preprocess(nbformat.from_dict(nb), resources)
    assert "could not be graded" in got.cells[0].source and "60 s" in got.cells[0].source
    assert got.cells[3].outputs[0]["ename"] == preprocessors.NOT_GRADED

    other = nbformat.from_dict(nb)
    other.cells[1].source = "x = 2"        # not the notebook that was executed
    (folder / preprocessors.REASON_FILE).unlink()
    got, _ = preprocessors.ReuseExecuted().preprocess(other, resources)
    assert "does not match" in got.cells[0].source


@pytest.mark.slow
def test_a_notebook_has_a_time_limit_and_its_output_a_cap():
    """A kernel in the sandbox: cells after the notebook's time ran out are not run, and
    output past the cap is dropped as it arrives."""
    nb = new_notebook(cells=[new_code_cell("print('x' * 4000)"),
                             new_code_cell("import time; time.sleep(30)"),
                             new_code_cell("print('never')")],
                      metadata={"kernelspec": {"name": "asyncio-course", "display_name": "x", "language": "python"}})
    run = preprocessors.SandboxedExecute(notebook_timeout=12, max_output_bytes=1000, timeout=30)
    nb, _ = run.preprocess(nb, {"metadata": {"path": "."}})
    assert "output cut" in nb.cells[0].outputs[-1]["text"] and "x" * 4000 not in str(nb.cells[0].outputs)
    assert nb.cells[1].outputs[-1]["ename"] == "NotebookTimeout"
    assert nb.cells[2].outputs[0]["ename"] == "NotebookTimeout" and "not run" in nb.cells[2].outputs[0]["evalue"]


class DiesAsItStarts(sandbox.SandboxedKernelManager):
    """A kernel whose first ``deaths`` starts (of all its instances) die before it binds a
    socket, saying why on stderr, as a kernel that bubblewrap or prlimit could not start."""

    deaths = 0

    def format_kernel_cmd(self, extra_arguments=None):
        argv = super().format_kernel_cmd(extra_arguments)
        if DiesAsItStarts.deaths > 0:
            DiesAsItStarts.deaths -= 1
            return ["/bin/sh", "-c", "echo 'bwrap: cannot start (a test)' >&2; exit 3"]
        return argv


def _one_cell() -> nbformat.NotebookNode:
    return new_notebook(cells=[new_code_cell("print('ran')")],
                        metadata={"kernelspec": {"name": "asyncio-course", "display_name": "x", "language": "python"}})


@pytest.mark.slow
def test_a_kernel_that_dies_as_it_starts_is_started_again(caplog):
    """No cell has run when a kernel dies as it starts, so the notebook is run in a new
    kernel (the death is logged with what the kernel wrote), and graded as usual."""
    DiesAsItStarts.deaths = 2
    run = preprocessors.SandboxedExecute(kernel_manager_class=DiesAsItStarts, timeout=60)
    nb, _ = run.preprocess(_one_cell(), {"metadata": {"path": "."}})
    assert nb.cells[0].outputs[0]["text"] == "ran\n"
    assert DiesAsItStarts.deaths == 0
    warned = [r.getMessage() for r in caplog.records if "died as it started" in r.getMessage()]
    assert len(warned) == 2 and "bwrap: cannot start (a test)" in warned[0], warned


def test_only_the_first_bytes_a_kernel_writes_to_stderr_are_kept():
    """The rest is read and dropped, so a kernel writing without end neither blocks nor
    fills the grader's memory; closing the grader's end twice is harmless."""
    kept = sandbox._FirstBytes(keep=10)
    writer = subprocess.Popen([sys.executable, "-c", "import os; os.write(2, b'0123456789' * 100_000)"],
                              stderr=kept.write_end)
    kept.close_write_end()
    kept.close_write_end()
    assert writer.wait(timeout=60) == 0
    time.sleep(0.2)
    assert kept.text() == "0123456789"


@pytest.mark.slow
def test_a_kernel_that_never_starts_is_reported_with_what_it_wrote():
    DiesAsItStarts.deaths = 10
    run = preprocessors.SandboxedExecute(kernel_manager_class=DiesAsItStarts, timeout=60, startup_attempts=2)
    with pytest.raises(RuntimeError, match=r"died as it started, 2 times.*not of this notebook.*cannot start \(a test\)"):
        run.preprocess(_one_cell(), {"metadata": {"path": "."}})
    assert DiesAsItStarts.deaths == 8


@pytest.mark.slow
def test_a_running_kernel_cannot_write_to_the_host(tmp_path, monkeypatch):
    """The only host files a kernel sees are its IPC folder, sealed once its sockets are
    bound (as root: given back to the grader), and matplotlib's font cache, read-only files
    in its home (a tmpfs); charts still draw from that cache, and the kernel's folder goes
    when it ends."""
    monkeypatch.setenv(sandbox.KERNELS_VARIABLE, str(tmp_path))
    probe = ("import os, pathlib\n"
             "from ipykernel.connect import get_connection_file\n"
             "for folder in (os.path.dirname(get_connection_file()),):\n"
             "    try:\n"
             "        pathlib.Path(folder, 'written').write_text('x')\n"
             "        print('WROTE', folder)\n"
             "    except OSError as err:\n"
             "        print('refused', type(err).__name__)\n"
             "for cache in pathlib.Path('~/.matplotlib').expanduser().glob('fontlist-*.json'):\n"
             "    try:\n"
             "        cache.write_text('{}')\n"
             "        print('WROTE', cache)\n"
             "    except OSError as err:\n"
             "        print('refused', type(err).__name__)\n")
    chart = ("import matplotlib, matplotlib.font_manager as fm, pathlib\n"
             "import matplotlib.pyplot as plt\n"
             "plt.plot([1, 2]); plt.show()\n"
             "print('cache', matplotlib.get_cachedir(), len(list(pathlib.Path(matplotlib.get_cachedir()).glob('fontlist-*'))))")
    nb = new_notebook(cells=[new_code_cell(probe), new_code_cell(chart)],
                      metadata={"kernelspec": {"name": "asyncio-course", "display_name": "x", "language": "python"}})
    nb, _ = preprocessors.SandboxedExecute(timeout=60).preprocess(nb, {"metadata": {"path": "."}})
    said = "".join(o.get("text", "") for o in nb.cells[0].outputs)
    assert "WROTE" not in said and said.count("refused") >= 2, said
    shown = "".join(o.get("text", "") for o in nb.cells[1].outputs)
    assert any("image/png" in o.get("data", {}) for o in nb.cells[1].outputs), nb.cells[1].outputs
    assert f"cache {sandbox.HOME}/.matplotlib" in shown and not shown.rstrip().endswith(" 0"), shown
    assert list(tmp_path.iterdir()) == [], "the kernel's folder is removed when it ends"


@pytest.mark.slow
def test_a_test_cell_judged_outside_never_runs_in_the_kernel():
    """Lesson 00's test cell in a sandboxed kernel: a right answer scores 2 with the
    verdicts written by the grader; an answer that makes every later cell evaluate to 2
    (an input transformer) and one that replaces the checks score 0, since the test cell
    never runs in the kernel and the kernel's answers are data the grader judges."""
    lesson = nbformat.read(next((ROOT / "notebooks" / "00-start-here").glob("*.ipynb")), as_version=4)
    test = next(c for c in lesson.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "add_later_tests")
    right = "import asyncio\nasync def add_later(a, b, delay):\n    await asyncio.sleep(delay)\n    return a + b\n"
    forges = ["import asyncio\nasync def add_later(a, b, delay):\n    raise NotImplementedError()\n"
              "get_ipython().input_transformers_post.append(lambda lines: ['2\\n'])\n",
              "import asyncio, aiolab.checks\nasync def add_later(a, b, delay):\n    raise NotImplementedError()\n"
              "aiolab.checks.Checks.score = lambda self, *more: 2.0\naiolab.checks.Checks.done = lambda self: None\n"]
    for answer, expected in [(right, "2"), *((forge, "0") for forge in forges)]:
        nb = new_notebook(cells=[new_code_cell(answer), nbformat.from_dict(dict(test))],
                          metadata={"kernelspec": {"name": "asyncio-course", "display_name": "x", "language": "python"}})
        nb, _ = preprocessors.SandboxedExecute(timeout=30).preprocess(nb, {"metadata": {"path": "."}})
        outputs = nb.cells[1].outputs
        assert outputs[-1]["output_type"] == "execute_result", outputs
        assert outputs[-1]["data"]["text/plain"] == expected, outputs[0].get("text")
        assert "The grader's hidden checks:" in outputs[0]["text"] and nb.cells[1].source == test.source
