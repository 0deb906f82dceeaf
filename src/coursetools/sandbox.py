"""A sandbox for one submission's kernel, made with bubblewrap and util-linux.

Why: at grading time a student's code runs on the instructor's machine. Without a sandbox
it runs as the instructor, in the course folder, with the network up and no limits: it can
read the model answers and classmates' notebooks, write the gradebook, leave processes
behind, or start a kernel for the next student with its own startup file. The sandbox
gives the kernel nothing to use against anyone:

- **its own namespaces** (bubblewrap ``--unshare-all``): a network with loopback only, a PID
  namespace whose every process dies with the kernel (``--die-with-parent``), its own IPC
  and host name;
- **an unprivileged uid** (as root, util-linux ``setpriv`` drops to a uid of its own per
  grading slot, or per kernel outside one (:class:`UidClaim`: no two sandboxes share a uid,
  and so a process limit), no capabilities, ``no_new_privs``; as an ordinary user, bubblewrap's user
  namespace keeps the user's uid and nothing else);
- **a file system that is read-only** and holds only what the kernel needs: the system
  (``/usr``, ``/etc``), the Python it runs, the venv and the course's code. Not the course
  folder, the instructor's notebooks, the gradebook, other submissions or other kernels'
  connection files. Writable: a fresh, empty home (with a fresh IPython profile), ``/tmp``
  and the working folder, all size-limited tmpfs that vanish with the sandbox;
- **limits** (``prlimit``): address space, processes, open files, file size, CPU time; and
  as root a memory cgroup (:class:`MemoryGroup`) for all its processes together;
- the kernel talks to the grader over **IPC sockets** in a folder that only the two of them
  can reach (jupyter_client's ``transport = "ipc"``); once its sockets are bound the folder
  is sealed (read-only to the kernel), so the kernel cannot fill the host's disk there.

The wall-clock limit of a whole notebook and the cap on output are the grader's side of the
story (:class:`coursetools.preprocessors.SandboxedExecute`).

Bubblewrap and util-linux come from the distribution (``make sandbox`` installs them with
apt-get, as ``make chromium`` does Chromium); nothing here isolates anything by itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import platform
import shutil
import stat
import subprocess
import sys
import sysconfig
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from jupyter_client import AsyncKernelManager

MB = 1024 * 1024

#: Environment variables naming the sandbox's settings (set by the grading pipeline).
UID_VARIABLE = "COURSE_SANDBOX_UID"     # the uid a sandbox drops to when the grader is root
OFF_VARIABLE = "COURSE_SANDBOX"         # "off": the instructor's explicit opt-out
KERNELS_VARIABLE = "COURSE_KERNELS_DIR"  # where kernels' private folders go (a grading run's own)
HOME = "/home/student"                  # the sandbox's home and working folder
DEFAULT_UID = 64500                     # uids 64500 + slot: unused by Debian (its dynamic range ends at 59999)


@dataclass(frozen=True)
class Limits:
    """What one submission's kernel may use."""

    memory: int = 1536 * MB         # address space per process (RLIMIT_AS)
    total_memory: int = 1536 * MB   # memory of all its processes together (a memory cgroup)
    processes: int = 256            # processes and threads of its uid (RLIMIT_NPROC)
    open_files: int = 1024          # RLIMIT_NOFILE
    file_size: int = 64 * MB        # largest file it may write (RLIMIT_FSIZE)
    cpu_seconds: int = 600          # CPU time per process (RLIMIT_CPU)
    home: int = 128 * MB            # tmpfs size of its home (its working folder)
    tmp: int = 128 * MB             # tmpfs size of /tmp


LIMITS = Limits()


def real_path(executable: str) -> str:
    """``executable`` with the links in the folders above it resolved (not the file itself:
    a venv's python may be a link to its base interpreter). The sandbox shows the venv at
    its real path, so a venv reached through a link must be called by that path."""
    path = Path(executable)
    return str(path.parent.resolve() / path.name)


class UidClaim:
    """A sandbox uid held by this process until :meth:`release`: two sandboxes running at
    the same time (two slots, or two graders on one machine) never share a uid, so one
    cannot use up the other's process limit (RLIMIT_NPROC counts per uid)."""

    #: One folder for the whole machine (not $TMPDIR, which differs between graders).
    FOLDER = Path("/run/lock" if os.access("/run/lock", os.W_OK) else "/tmp") / "coursetools-sandbox-uids"
    COUNT = 1000

    def __init__(self) -> None:
        import fcntl

        self._handle = None
        if not _is_root():              # an ordinary user's sandboxes keep the user's uid
            self.uid = DEFAULT_UID
            return
        self.FOLDER.mkdir(mode=0o700, exist_ok=True)
        for uid in range(DEFAULT_UID, DEFAULT_UID + self.COUNT):
            handle = open(self.FOLDER / f"{uid}.lock", "w")
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                handle.close()
                continue
            self.uid, self._handle = uid, handle
            return
        raise SandboxUnavailable(f"all {self.COUNT} sandbox uids from {DEFAULT_UID} are in use")

    def release(self) -> None:
        if self._handle is not None:
            self._handle.close()        # closing drops the lock


class SandboxUnavailable(RuntimeError):
    """No sandbox can be made on this machine; the message says why and what to do."""


def disabled() -> bool:
    """True when the instructor opted out (``SANDBOX=off`` on make's command line)."""
    return os.environ.get(OFF_VARIABLE, "").lower() in {"off", "0", "no", "false"}


def _is_root() -> bool:
    return os.geteuid() == 0


class MemoryGroup:
    """A memory cgroup holding one sandbox, so its processes *together* stay under
    ``Limits.total_memory`` (RLIMIT_AS bounds each process alone: four processes could
    hold four times as much). The kernel's OOM killer ends the process that goes over.

    Made where the grader may make cgroups: as root, on cgroup v2 (``memory.max``) or v1
    (``memory.limit_in_bytes``). Elsewhere (an ordinary user without a delegated cgroup)
    :meth:`make` returns None and the per-process limit is what holds."""

    ROOTS = (Path("/sys/fs/cgroup"), Path("/sys/fs/cgroup/memory"))

    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def make(cls, name: str, limit: int) -> "MemoryGroup | None":
        if not _is_root():
            return None
        for root in cls.ROOTS:
            v2 = (root / "cgroup.controllers").is_file() and "memory" in (root / "cgroup.controllers").read_text()
            v1 = (root / "memory.limit_in_bytes").is_file()
            if not (v2 or v1) or not os.access(root, os.W_OK):
                continue
            path = root / f"coursetools-{name}"
            try:
                path.mkdir(exist_ok=True)
                if v2:
                    (path / "memory.max").write_text(str(limit))
                    if (path / "memory.swap.max").is_file():
                        (path / "memory.swap.max").write_text("0")
                else:
                    (path / "memory.limit_in_bytes").write_text(str(limit))
                return cls(path)
            except OSError:
                with contextlib.suppress(OSError):
                    path.rmdir()
        return None

    def wrap(self, argv: list[str]) -> list[str]:
        """``argv`` started inside the group (every process it starts stays there)."""
        return ["/bin/sh", "-c", 'echo $$ > "$0/cgroup.procs" && exec "$@"', str(self.path), *argv]

    def remove(self) -> None:
        for _ in range(50):             # its last processes may still be exiting
            try:
                self.path.rmdir()
                return
            except FileNotFoundError:
                return
            except OSError:
                time.sleep(0.1)


def readable_roots() -> list[Path]:
    """What the sandbox shows, read-only: the system, the Python the kernel runs (the venv,
    the interpreter it was made from) and the code it imports (``aiolab`` and
    ``coursetools``, wherever they are installed)."""
    import aiolab
    import coursetools

    roots = {Path("/usr"), Path("/etc"), Path(sys.prefix), Path(sys.base_prefix),
             Path(sysconfig.get_paths()["purelib"])}
    for package in (aiolab, coursetools):
        roots.add(Path(package.__file__).resolve().parent)
    if Path("/opt").is_dir() and Path(sys.base_prefix).is_relative_to("/opt"):
        roots.add(Path(sys.base_prefix))
    # Keep the outermost of nested roots: a bind inside another is redundant.
    ordered = sorted((r.resolve() for r in roots if r.exists()), key=lambda p: len(p.parts))
    kept: list[Path] = []
    for root in ordered:
        if not any(root.is_relative_to(k) for k in kept):
            kept.append(root)
    return kept


def hidden_files() -> list[Path]:
    """Files inside the readable roots that the sandbox hides, each covered by /dev/null
    (which cannot be opened there): the hidden checks of lessons judged wholly outside the
    kernel (:mod:`coursetools.judge`), source and bytecode. The kernel never needs them,
    and a student must not print them."""
    from .checks import judged_outside_modules

    found = []
    for module in judged_outside_modules():
        source = Path(module.__file__).resolve()
        found.append(source)
        found += sorted(source.parent.glob(f"__pycache__/{source.stem}.*.pyc"))
    return found


def bwrap_argv(argv: list[str], *, ipc_dir: Path, uid: int | None = None,
               limits: Limits = LIMITS, env: dict[str, str] | None = None,
               mpl_cache: Path | None = None) -> list[str]:
    """``argv`` wrapped to run in a sandbox (see the module's docstring). ``ipc_dir`` is the
    folder of the kernel's connection file and sockets, the only host folder it may write.
    ``uid`` is the uid to drop to when the grader is root. ``mpl_cache``, a folder holding a
    private copy of matplotlib's font cache, is shown read-only in the sandbox's matplotlib
    folder."""
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        raise SandboxUnavailable(why_unavailable() or "bubblewrap (bwrap) is not installed")
    # As root, no user namespace: the kernel then drops to a real unprivileged uid (setpriv),
    # which the user namespace would leave unmapped. As a user, bwrap makes one itself.
    namespaces = (["--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts", "--unshare-cgroup-try"]
                  if _is_root() else ["--unshare-all"])
    cmd = [bwrap, *namespaces, "--die-with-parent", "--new-session", "--clearenv"]
    for link in ("bin", "lib", "lib64", "sbin"):
        path = Path("/") / link
        if path.is_symlink():
            cmd += ["--symlink", os.readlink(path), str(path)]
        elif path.is_dir():
            cmd += ["--ro-bind", str(path), str(path)]
    roots = readable_roots()
    cmd += ["--proc", "/proc", "--dev", "/dev",
            # POSIX semaphores (multiprocessing's locks, process pools) live in /dev/shm
            "--perms", "1777", "--size", str(limits.tmp), "--tmpfs", "/dev/shm",
            "--perms", "1777", "--size", str(limits.tmp), "--tmpfs", "/tmp",
            "--perms", "0777", "--size", str(limits.home), "--tmpfs", HOME]
    # Folders above a bind are made by bwrap with the host folder's mode (/root is 0700):
    # make them traversable first, or the unprivileged uid cannot reach what is bound.
    parents = sorted({str(p) for r in [*roots, ipc_dir] for p in r.parents if p != Path("/")},
                     key=lambda p: p.count("/"))
    for parent in parents:
        cmd += ["--perms", "0755", "--dir", parent]
    for root in roots:
        cmd += ["--ro-bind", str(root), str(root)]
    for hidden in hidden_files():
        cmd += ["--ro-bind", "/dev/null", str(hidden)]
    cmd += ["--bind", str(ipc_dir), str(ipc_dir)]
    if mpl_cache is not None:
        # Read-only files in the (size-limited) home, not a host folder it could fill
        cmd += ["--perms", "0777", "--dir", f"{HOME}/.matplotlib"]
        for cache in sorted(mpl_cache.iterdir()):
            cmd += ["--ro-bind", str(cache), f"{HOME}/.matplotlib/{cache.name}"]
    cmd += ["--chdir", HOME]
    environment = {
        "HOME": HOME, "PATH": f"{Path(real_path(sys.executable)).parent}:/usr/local/bin:/usr/bin:/bin",
        "LANG": "C.UTF-8", "TMPDIR": "/tmp", "IPYTHONDIR": f"{HOME}/.ipython",
        "MPLCONFIGDIR": f"{HOME}/.matplotlib", "JUPYTER_RUNTIME_DIR": f"{HOME}/.jupyter-runtime",
        "JUPYTER_CONFIG_DIR": f"{HOME}/.jupyter", "JUPYTER_DATA_DIR": f"{HOME}/.jupyter-data",
        "PYTHONNOUSERSITE": "1", "MALLOC_ARENA_MAX": "2", "MPLBACKEND": "module://matplotlib_inline.backend_inline",
        **(env or {}),
    }
    for name, value in environment.items():
        cmd += ["--setenv", name, value]
    processes = limits.processes
    if not _is_root():
        # As an ordinary user the sandbox keeps the user's uid, and RLIMIT_NPROC counts every
        # process of that uid: leave room for the ones already running.
        processes += _processes_of(os.getuid())
    cmd += ["--", shutil.which("prlimit") or "prlimit",
            f"--as={limits.memory}", f"--nproc={processes}", f"--nofile={limits.open_files}",
            f"--fsize={limits.file_size}", f"--cpu={limits.cpu_seconds}", "--core=0", "--"]
    if _is_root():
        uid = DEFAULT_UID if uid is None else uid
        cmd += [shutil.which("setpriv") or "setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups",
                "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs", "--"]
    # The sandbox shows folders at their real paths: a program reached through a linked
    # folder (a venv that is a link) must be called by its real path.
    program = real_path(argv[0]) if os.path.isabs(argv[0]) else argv[0]
    return cmd + [program, *argv[1:]]


def _processes_of(uid: int) -> int:
    import psutil

    count = 0
    for proc in psutil.process_iter(["uids", "num_threads"]):
        try:
            if proc.info["uids"] and proc.info["uids"].real == uid:
                count += proc.info["num_threads"] or 1
        except psutil.Error:
            continue
    return count


_PROBED: dict[str, str | None] = {}


def why_unavailable() -> str | None:
    """None if sandboxes can be made here; else why not, in words an instructor can act on."""
    if "reason" in _PROBED:
        return _PROBED["reason"]
    reason = None
    if platform.system() != "Linux":
        reason = f"grading sandboxes need Linux namespaces; this is {platform.system()}"
    elif shutil.which("bwrap") is None:
        reason = "bubblewrap is not installed (make sandbox installs it: apt-get install bubblewrap)"
    elif _is_root() and shutil.which("setpriv") is None or shutil.which("prlimit") is None:
        reason = "util-linux's setpriv and prlimit are missing (apt-get install util-linux)"
    else:
        claim = UidClaim()
        with tempfile.TemporaryDirectory(prefix="sandbox-probe-") as folder:
            ipc = Path(folder)
            if _is_root():
                os.chown(ipc, claim.uid, claim.uid)
            probe = bwrap_argv([sys.executable, "-I", "-c", "import os; print(os.getuid())"], ipc_dir=ipc,
                               uid=claim.uid)
            try:
                done = subprocess.run(probe, capture_output=True, text=True, timeout=60)
            except (OSError, subprocess.TimeoutExpired) as err:
                done = None
                reason = f"bubblewrap could not start: {err}"
            finally:
                claim.release()
            if done is not None and done.returncode != 0:
                said = (done.stderr.strip().splitlines() or ["(nothing)"])[-1]
                reason = (f"bubblewrap could not make a sandbox here ({said}); user namespaces may be "
                          "disabled (sysctl kernel.unprivileged_userns_clone=1) or the container may forbid them")
    _PROBED["reason"] = reason
    return reason


def _is_socket(path: Path) -> bool:
    try:
        return stat.S_ISSOCK(path.stat().st_mode)
    except OSError:
        return False


def _font_cache() -> list[Path]:
    """matplotlib's font cache files, built once in the grader's process. Why: a fresh home
    would make every kernel rebuild it when it draws its first chart (seconds, more under
    load), and that time counts against the real-time budget of the test cell drawing it."""
    import matplotlib
    import matplotlib.font_manager  # noqa: F401 - importing it writes the cache

    return sorted(Path(matplotlib.get_cachedir()).glob("fontlist-*.json"))


#: The learner's language in the kernel (``aiolab.messages.VARIABLE``; not imported here,
#: as aiolab is imported only where needed)
LANGUAGE_VARIABLE = "AIOLAB_LANGUAGE"


class _FirstBytes:
    """A pipe for a child's fd 2 whose first ``keep`` bytes are kept and the rest read and
    dropped (a thread drains it, so the child never blocks on a full pipe and the grader's
    memory stays flat whatever the child writes)."""

    def __init__(self, keep: int = 4096) -> None:
        import threading

        read_end, self.write_end = os.pipe()
        self._kept = bytearray()
        self._keep = keep
        threading.Thread(target=self._drain, args=(read_end,), daemon=True).start()

    def _drain(self, read_end: int) -> None:
        with open(read_end, "rb", buffering=0) as pipe:
            while chunk := pipe.read(65536):
                if len(self._kept) < self._keep:
                    self._kept += chunk[: self._keep - len(self._kept)]

    def close_write_end(self) -> None:
        """Once the child is started (or will never be): the parent's copy of the write end
        is closed, so the pipe ends (and the thread with it) when the child's processes are
        gone."""
        if self.write_end >= 0:
            with contextlib.suppress(OSError):
                os.close(self.write_end)
            self.write_end = -1         # never closed twice: the number may be reused by then

    def text(self) -> str:
        return bytes(self._kept).decode("utf-8", "replace").strip()


class SandboxedKernelManager(AsyncKernelManager):
    """A kernel manager whose kernel runs in :func:`bwrap_argv`'s sandbox and talks over IPC
    sockets in a private folder. nbclient and nbgrader start kernels through it
    (``Execute.kernel_manager_class``)."""

    _sandbox_dir: str | None = None
    #: The learner's language (``AIOLAB_LANGUAGE`` of the ``env`` it is started with:
    #: :class:`coursetools.preprocessors.SandboxedExecute` sets it from the notebook).
    _language: str | None = None
    _memory: MemoryGroup | None = None
    _stderr: _FirstBytes | None = None
    _claim: UidClaim | None = None

    async def _async_pre_start_kernel(self, **kw):
        # 0700, the grader's; kept short: a unix socket's path has at most 107 bytes
        self._language = (kw.get("env") or {}).get(LANGUAGE_VARIABLE) or None
        private = tempfile.mkdtemp(prefix="kernel-", dir=os.environ.get(KERNELS_VARIABLE) or "/tmp")
        ipc = Path(private) / "ipc"
        ipc.mkdir()
        mpl = Path(private) / "matplotlib"
        mpl.mkdir()
        for cache in _font_cache():
            shutil.copyfile(cache, mpl / cache.name)
        self._sandbox_dir = private
        self.transport = "ipc"
        self.connection_file = str(ipc / "kernel.json")
        self.ip = str(ipc / "kernel")
        # A signal from outside would reach bwrap, not the kernel: interrupt by message
        # (ipykernel then signals itself), so nbgrader's interrupt on a cell timeout works.
        self.kernel_spec.interrupt_mode = "message"
        # What the kernel process writes outside the protocol (fd 1 and 2) is the student's
        # to write: it must not reach the grader's terminal or logs. Its first bytes of fd 2
        # are kept (startup_errors): what bubblewrap, prlimit or Python say when the kernel
        # cannot start, written before any of the student's code has run.
        kw.setdefault("stdout", subprocess.DEVNULL)
        if "stderr" not in kw:
            self._stderr = _FirstBytes()
            kw["stderr"] = self._stderr.write_end
        return await super()._async_pre_start_kernel(**kw)

    async def _async_launch_kernel(self, kernel_cmd, **kw):
        try:
            return await super()._async_launch_kernel(kernel_cmd, **kw)
        finally:
            if self._stderr is not None:
                self._stderr.close_write_end()   # the kernel has its copy of the pipe's end

    @property
    def startup_errors(self) -> str:
        """What the kernel's processes wrote to fd 2 first (at most a few KB); for the
        grader's message when a kernel dies as it starts, before it runs any cell."""
        return self._stderr.text() if self._stderr is not None else ""

    def format_kernel_cmd(self, extra_arguments=None):
        argv = super().format_kernel_cmd(extra_arguments)
        ipc = Path(self.connection_file).parent
        mpl = ipc.parent / "matplotlib"
        if UID_VARIABLE in os.environ:          # the grader's slot, claimed for all its kernels
            uid = int(os.environ[UID_VARIABLE])
        else:
            # A kernel of its own (make validate, a test): a uid of its own too, for the
            # kernel's life. RLIMIT_NPROC counts every process of a uid, so a kernel sharing
            # a uid with another sandbox could be stopped from starting by that one's threads.
            self._claim = self._claim or UidClaim()
            uid = self._claim.uid
        if _is_root():
            # The kernel binds its sockets here and reads the connection file (with its key).
            for path in (ipc, *ipc.iterdir()):
                os.chown(path, uid, uid)
        for cache in mpl.iterdir():
            cache.chmod(0o444)
        env = {k: v for k, v in os.environ.items() if k in ("NBGRADER_EXECUTION",)}
        if self._language:
            env[LANGUAGE_VARIABLE] = self._language     # the submission's edition's language
        cmd = bwrap_argv(argv, ipc_dir=ipc, uid=uid, env=env, mpl_cache=mpl)
        self._memory = self._memory or MemoryGroup.make(Path(ipc.parent).name, LIMITS.total_memory)
        return self._memory.wrap(cmd) if self._memory else cmd

    async def _async_post_start_kernel(self, **kw):
        await super()._async_post_start_kernel(**kw)
        await self._seal_ipc_folder()

    async def _seal_ipc_folder(self, patience: float = 60.0) -> None:
        """Once the kernel has bound its five sockets, its IPC folder (on the host's disk)
        becomes the grader's and read-only: the kernel keeps its sockets but cannot create
        files there. As root the folder is given back to root; as an ordinary user the
        kernel has the grader's uid and could make it writable again (files there stay
        limited by RLIMIT_FSIZE, and are removed with the folder)."""
        ipc = Path(self.connection_file).parent
        sockets = [Path(f"{self.ip}-{port}") for port in
                   (self.shell_port, self.iopub_port, self.stdin_port, self.control_port, self.hb_port)]
        deadline = time.monotonic() + patience
        while not all(_is_socket(path) for path in sockets):
            if time.monotonic() > deadline or not await self.is_alive():
                return                  # it never started: wait_for_ready reports that
            await asyncio.sleep(0.02)
        if _is_root():
            for path in (ipc, self.connection_file):
                os.chown(path, os.geteuid(), os.getegid())
            os.chmod(self.connection_file, 0o644)   # read already; the key is the grader's
        os.chmod(ipc, 0o555)

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        if self._stderr is not None:
            self._stderr.close_write_end()   # if it was never launched, its pipe ends here
        if self._sandbox_dir and Path(self._sandbox_dir, "ipc").is_dir():
            os.chmod(Path(self._sandbox_dir, "ipc"), 0o700)     # sealed; the grader removes it
        if self._sandbox_dir and not restart:
            shutil.rmtree(self._sandbox_dir, ignore_errors=True)
            if self._memory is not None:
                self._memory.remove()
                self._memory = None
            if self._claim is not None:
                self._claim.release()
                self._claim = None
            self._sandbox_dir = None
