"""The Go rungs: goroutines for contrast, when the ``go`` command is installed.

One Go program, three modes, each the twin of a Python rung (:data:`.rungs.GO_RUNGS`):
``timer`` (a goroutine per wait, each ``time.Sleep``: plain), ``shared`` (a goroutine per
wait, all blocked on one channel that one timer closes: one shared timer) and ``pool``
(the pool rung's jobs through the same number of worker goroutines).

The Go program's sources ship inside this package (``aiolab/bench/go``, package data), so an
installed aiolab can build it as well as a source checkout. An installed package's folder
may be read-only and is shared by every user, so the sources are copied to a temporary
folder and built there, and the binary goes to a per-user cache folder
(:func:`default_build_dir`) unless the caller names one (``make bench`` passes its output
folder). Go is optional (Debian: ``apt-get install golang-go``): without it the Go rungs are
skipped, saying how to install it, and :data:`PUBLISHED_GO`, what Go's own sources and
release notes document, stands in: facts, not measurements.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from .results import GoResult
from .rungs import GO_RUNGS, pool_plan, timeout_for

__all__ = ["GO_DIR", "PUBLISHED_GO", "GO_MODES", "go_available", "default_build_dir",
           "build_go", "run_go"]

#: The Go program's sources (package data next to this module).
GO_DIR = Path(__file__).resolve().parent / "go"

#: What Go's own sources and release notes say a goroutine costs, for when Go is not
#: installed. These are documented facts, not measurements made here.
PUBLISHED_GO: list[tuple[str, str]] = [
    ("Minimum goroutine stack: 2,048 bytes (`_StackMin = 2048`, \"the minimum size of stack "
     "used by Go code\")", "https://github.com/golang/go/blob/go1.19/src/runtime/stack.go"),
    ("Go 1.4 cut a new goroutine's starting stack from 8 KB to 2 KB (stacks became "
     "contiguous and grow by copying)", "https://go.dev/doc/go1.4#runtime"),
    ("Go 1.19 may start goroutines with a larger stack, based on the average stack use "
     "seen so far", "https://go.dev/doc/go1.19#runtime"),
]


#: The Go program's modes, each with its rung: timer (``go``), shared, pool.
GO_MODES = {r.options["mode"]: r for r in GO_RUNGS}


def _sources() -> list[Path]:
    """The files ``go build`` needs: the module file and the .go sources."""
    if not GO_DIR.is_dir():
        return []
    return sorted(p for p in GO_DIR.iterdir()
                  if p.is_file() and (p.suffix == ".go" or p.name in ("go.mod", "go.sum")))


def go_available() -> str | None:
    """Path of the ``go`` command when it and the Go sources are both here, else None."""
    go = shutil.which("go")
    return go if go and (GO_DIR / "main.go").is_file() else None


def default_build_dir() -> Path:
    """Where :func:`build_go` puts the binary by default: ``$XDG_CACHE_HOME/aiolab/go``, else
    ``~/.cache/aiolab/go``, else (no home folder) a per-user folder in the temporary dir."""
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg and Path(xdg).is_absolute():           # the XDG spec: ignore relative paths
        return Path(xdg) / "aiolab" / "go"
    try:
        return Path.home() / ".cache" / "aiolab" / "go"
    except RuntimeError:                          # no HOME and no passwd entry
        user = os.getuid() if hasattr(os, "getuid") else os.getpid()
        return Path(tempfile.gettempdir()) / f"aiolab-{user}" / "go"


def build_go(out_dir: Path | str | None = None) -> Path:
    """``go build`` the Go program into ``out_dir`` (default :func:`default_build_dir`);
    return the binary's path.

    Offline by construction (``GOPROXY=off``, ``GOTOOLCHAIN=local``): the program uses the
    standard library only. The sources are built from a temporary copy, and the binary is
    moved into place in one step, so two builds at once never see each other's half.
    """
    go = go_available()
    if go is None:
        raise RuntimeError("`go` is not on PATH (or aiolab's Go sources are missing)")
    # absolute: `go build -o` runs in the temporary copy, where a relative path would land
    out = (Path(out_dir) if out_dir is not None else default_build_dir()).resolve()
    out.mkdir(parents=True, exist_ok=True)
    binary = out / ("gomillion.exe" if os.name == "nt" else "gomillion")
    env = {**os.environ, "GOPROXY": "off", "GOTOOLCHAIN": "local", "GOFLAGS": "-mod=mod"}
    if "GOCACHE" not in env and not env.get("HOME"):
        env["GOCACHE"] = str(out / "go-cache")    # go needs a build cache somewhere
    with tempfile.TemporaryDirectory(prefix="aiolab-go-") as src:
        for path in _sources():
            shutil.copyfile(path, Path(src) / path.name)   # contents only: not read-only
        partial = out / f".{binary.name}.{os.getpid()}.partial"
        done = subprocess.run([go, "build", "-o", str(partial), "."], cwd=src, env=env,
                              capture_output=True, text=True, timeout=600)
        if done.returncode:
            partial.unlink(missing_ok=True)
            raise RuntimeError(f"go build failed: {done.stderr.strip()}")
        os.replace(partial, binary)
    return binary


def run_go(n: int, delay: float = 1.0, *, mode: str = "timer",
           binary: Path | str | None = None, build_dir: Path | str | None = None,
           timeout: float | None = None) -> GoResult:
    """Build (into ``build_dir``, unless ``binary`` is given) and run the Go program in
    ``mode`` (``"timer"``, ``"shared"`` or ``"pool"``: see :data:`GO_MODES`); the same
    figures as a rung, plus Go's own. The pool gets the workers and job wait of the Python
    pool rung (:func:`.rungs.pool_plan`). Without Go: a result with ``skipped`` set to why
    (:data:`.rungs.GO_INSTALL` says how to install it)."""
    try:
        rung = GO_MODES[mode]
    except KeyError:
        raise ValueError(f"unknown Go mode {mode!r}; choose from {list(GO_MODES)}") from None
    if binary is None:
        if go_available() is None:
            return GoResult.skip(rung, n, delay, "`go` is not installed: see PUBLISHED_GO")
        binary = build_go(build_dir)
    cmd = [str(binary), "-n", str(n), "-delay", repr(float(delay)), "-mode", mode]
    if mode == "pool":
        workers, job_delay = pool_plan(n, delay, rung.options["rounds"])
        cmd += ["-workers", str(workers), "-job-delay", repr(job_delay)]
    done = subprocess.run(cmd, capture_output=True, text=True,
                          timeout=timeout or timeout_for(n, delay))
    lines = [ln for ln in done.stdout.splitlines() if ln.startswith("{")]
    if done.returncode or not lines:
        raise RuntimeError(f"the Go benchmark failed (exit {done.returncode}): "
                           f"{done.stderr.strip()[-500:]}")
    raw = json.loads(lines[-1])
    raw["python"] = raw.get("python") or None     # Go sends "" to keep the keys alike
    raw.setdefault("mode", mode)                  # a program built before the modes
    return GoResult.from_measurement(rung, n, delay, raw)
