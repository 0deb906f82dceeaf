import sys
from pathlib import Path

# tests/ holds shared helpers (nbcheck); make them importable from every test module.
sys.path.insert(0, str(Path(__file__).resolve().parent))

pytest_plugins = ["pytester"]


# The `slow` marker means something: `make check` leaves slow tests out, and this report
# names any test not marked slow that took longer than SLOW_SECONDS, so it gets marked.
SLOW_SECONDS = 5.0
_unmarked_slow: list[tuple[str, float]] = []


def pytest_runtest_logreport(report):
    if report.when == "call" and report.duration > SLOW_SECONDS and "slow" not in report.keywords \
            and "notebook" not in report.keywords:
        _unmarked_slow.append((report.nodeid, report.duration))


def pytest_terminal_summary(terminalreporter):
    if _unmarked_slow:
        terminalreporter.section("tests slower than %.0f s not marked slow (mark them)" % SLOW_SECONDS)
        for nodeid, duration in sorted(_unmarked_slow, key=lambda x: -x[1]):
            terminalreporter.write_line(f"{duration:6.1f} s  {nodeid}")
