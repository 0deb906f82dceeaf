"""aiolab.scripts.run_script: a snippet run as `python -u [options] -c source [args]`.

Lessons show script behaviour (warnings, exit codes, `asyncio.run` outside a running loop)
with this helper, so what it prints must be exactly what the script wrote, in order. Each
test starts one small interpreter; the whole module runs in about a second.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from aiolab.scripts import run_script

VERSION = ".".join(map(str, sys.version_info[:3]))


def test_stdout_and_stderr_are_merged_in_the_order_written():
    out = run_script("""
        import sys
        print("out 1")
        print("err 1", file=sys.stderr)
        print("out 2")
        sys.stderr.write("err 2\\n")
        print("out 3")
    """, quiet=True)
    assert out == "out 1\nerr 1\nout 2\nerr 2\nout 3\n"


def test_runs_the_kernels_own_interpreter_with_dedented_source():
    out = run_script("""
            import sys
            print(sys.executable)
    """, quiet=True)
    assert out == f"{sys.executable}\n"


def test_warnings_follow_the_python_options():
    source = """
        import warnings
        warnings.warn("careful", UserWarning)
        print("after the warning")
    """
    shown = run_script(source, quiet=True)
    assert "UserWarning: careful" in shown and shown.endswith("after the warning\n")
    assert shown.index("UserWarning") < shown.index("after the warning")

    hidden = run_script(source, "-W", "ignore", quiet=True)
    assert hidden == "after the warning\n"

    raised = run_script(source, "-W", "error", quiet=True)
    assert "Traceback" in raised and "UserWarning: careful" in raised
    assert "after the warning" not in raised
    assert raised.endswith("[exit status 1]\n")


def test_several_options_are_passed_in_order():
    out = run_script("import sys; print(sys.flags.dev_mode, sys.warnoptions[-1])",
                     "-X", "dev", "-W", "error::DeprecationWarning", quiet=True)
    assert out == "True error::DeprecationWarning\n"   # -X dev itself adds 'default' before it


def test_args_become_sys_argv():
    out = run_script("import sys; print(sys.argv)", args=("four-steps", "two words"), quiet=True)
    assert out == "['-c', 'four-steps', 'two words']\n"


def test_non_zero_exit_status_is_reported_after_the_output():
    out = run_script("print('bye'); raise SystemExit(3)", quiet=True)
    assert out == "bye\n[exit status 3]\n"

    crashed = run_script("print('before'); 1 / 0", quiet=True)
    assert crashed.startswith("before\nTraceback (most recent call last):")
    assert "ZeroDivisionError: division by zero\n[exit status 1]\n" in crashed


def test_zero_exit_status_adds_nothing():
    assert run_script("print('fine')", quiet=True) == "fine\n"
    assert run_script("pass", quiet=True) == ""


def test_prints_a_header_then_the_output(capsys):
    out = run_script("print('hello')", "-W", "default")
    printed = capsys.readouterr()
    assert printed.out == f"--- python -W default script.py  (Python {VERSION}) ---\nhello\n"
    assert printed.err == ""
    assert out == "hello\n"


def test_header_without_options_and_output_without_final_newline(capsys):
    out = run_script("import sys; sys.stdout.write('no newline')")
    assert out == "no newline"
    assert capsys.readouterr().out == f"--- python script.py  (Python {VERSION}) ---\nno newline\n"


def test_quiet_prints_nothing_but_returns_the_text(capsys):
    out = run_script("import sys; print('to stdout'); print('to stderr', file=sys.stderr)",
                     quiet=True)
    assert out == "to stdout\nto stderr\n"
    assert capsys.readouterr() == ("", "")


def test_timeout_raises_timeout_expired(capsys):
    with pytest.raises(subprocess.TimeoutExpired):
        run_script("import time; time.sleep(30)", timeout=0.5)
    assert capsys.readouterr().out == ""   # nothing printed for a run that never finished


def test_another_interpreter_runs_the_script_and_names_its_version(tmp_path, monkeypatch, capsys):
    """newest_python finds the newest python3.X on PATH in the range asked; run_script runs
    there and its header names that interpreter's version, not the kernel's."""
    from aiolab.scripts import newest_python

    fake = tmp_path / "python3.14"          # a stand-in "3.14": this interpreter, renamed
    fake.write_text(f'#!/bin/sh\nexec {sys.executable} "$@"\n')
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert newest_python((3, 14)) == str(fake)
    assert newest_python((3, 15)) is None   # nothing new enough
    out = run_script("import sys; print('ran as', sys.argv[0])", python=str(fake))
    header = capsys.readouterr().out.splitlines()[0]
    assert "ran as -c" in out
    assert f"(Python {'.'.join(map(str, sys.version_info[:3]))})" in header
