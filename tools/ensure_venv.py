"""Create or refresh the course's virtual environment; stdlib only, so any Python 3.11+ runs it.

`make lab` and `make test` call this first. It does the work only when needed: when the
venv is missing, or when the pins (requirements.txt, constraints.txt, pyproject.toml) or the
interpreter changed since it was built. A fingerprint of those inputs is stored inside the
venv; a half-finished install never writes it, so an interrupted setup is redone next time.

The pins are installed with uv (pinned in tools/installer.txt, itself installed with the
venv's own pip): from an empty cache it takes a tenth of pip's time on the same pins. If uv
cannot be installed or fails, pip installs the same pins instead.

Usage: python3.X tools/ensure_venv.py [--venv .venv]
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PIN_FILES = ("requirements.txt", "constraints.txt", "pyproject.toml", "tools/installer.txt")
STAMP = ".course-fingerprint"
KERNEL_NAME = "asyncio-course"
KERNEL_DISPLAY = "Python 3 (asyncio course)"


def fingerprint() -> str:
    """What the venv was built from: the pin files and the interpreter's exact version."""
    digest = hashlib.sha256(sys.version.encode())
    for name in PIN_FILES:
        digest.update(name.encode())
        digest.update((ROOT / name).read_bytes())
    return digest.hexdigest()


def run(*args: str | Path) -> None:
    print("+", " ".join(str(a) for a in args), flush=True)
    done = subprocess.run([str(a) for a in args], cwd=ROOT, text=True,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    # pip warns once per package about every configured local index folder that is absent;
    # that says nothing about this install, so those lines are dropped and the rest is shown.
    print("".join(line for line in done.stdout.splitlines(keepends=True)
                  if not line.startswith("WARNING: Location 'file:")), end="", flush=True)
    done.check_returncode()


def pip_install(python: Path, *args: str) -> None:
    """Install into the environment of ``python``: with its uv when it has one, else pip."""
    uv = python.parent / "uv"
    if uv.exists():
        try:
            return run(uv, "pip", "install", "--quiet", "--python", python, *args)
        except subprocess.CalledProcessError:
            print("uv could not install this; trying pip", flush=True)
    run(python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *args)


def get_uv(python: Path) -> None:
    """Put the pinned uv into the new venv (a failure only means pip does the installs)."""
    try:
        run(python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
            "-r", "tools/installer.txt")
    except subprocess.CalledProcessError:
        print("uv is not available here; installing with pip (slower)", flush=True)


def register(python: Path) -> None:
    """Install aiolab (editable) and the course kernel into the environment of ``python``."""
    pip_install(python, "--no-deps", "-e", ".")
    # --sys-prefix keeps the kernel inside this environment: several venvs (make test-all)
    # never fight over one user-wide kernelspec, and removing the venv removes the kernel.
    run(python, "-m", "ipykernel", "install", "--sys-prefix",
        "--name", KERNEL_NAME, "--display-name", KERNEL_DISPLAY)


def build(target: Path) -> None:
    if target.exists() and not (target / "pyvenv.cfg").exists():
        raise SystemExit(f"error: {target} exists but is not a virtual environment; "
                         "refusing to replace it. Remove it or pick another VENV=.")
    if target.exists():
        print(f"{target.name}: pins or interpreter changed, rebuilding it", flush=True)
        shutil.rmtree(target)
    else:
        print(f"{target.name}: creating it with {sys.executable} ({sys.version.split()[0]})", flush=True)
    venv.EnvBuilder(with_pip=True).create(target)
    python = target / "bin" / "python"
    get_uv(python)
    pip_install(python, "-r", "requirements.txt", "-c", "constraints.txt")
    register(python)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--venv", default=".venv", help="where the environment lives")
    args = parser.parse_args()
    if sys.version_info < (3, 11):
        print(f"error: the course needs Python 3.11 or newer; {sys.executable} is "
              f"{sys.version.split()[0]}. Pick one with PYTHON=python3.12 make ...", file=sys.stderr)
        return 2
    target = (ROOT / args.venv).resolve()
    stamp = target / STAMP
    wanted = fingerprint()
    if stamp.exists() and stamp.read_text().strip() == wanted:
        print(f"{args.venv}: up to date", flush=True)
        return 0
    if (target / "conda-meta").is_dir():
        # A conda environment made from environment.yml: conda owns the packages, so never
        # rebuild it; only add aiolab and the course kernel.
        print(f"{target}: conda environment; installing aiolab and the course kernel into it", flush=True)
        register(target / "bin" / "python")
    else:
        build(target)
    stamp.write_text(wanted + "\n")
    print(f"{args.venv}: ready", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
