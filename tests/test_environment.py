"""The pins: requirements.txt, constraints.txt and environment.yml must agree."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from packaging.markers import Marker
from packaging.specifiers import SpecifierSet

ROOT = Path(__file__).resolve().parent.parent


#: The interpreters the course supports (make test-all); pins may differ between them by
#: environment marker (numpy has no 3.15 wheels at the version the others use).
PYTHONS = ["3.11", "3.12", "3.13", "3.14", "3.15"]


def pins(lines, python: str = "3.11") -> dict[str, str]:
    """name -> version of every ``name==version`` line that applies to ``python`` (a line
    with an environment marker applies where the marker holds). A package pinned twice for
    one interpreter is an error."""
    found = {}
    for line in lines:
        line = line.split("#")[0].strip()
        spec, _, marker = line.partition(";")
        if marker and not Marker(marker).evaluate({"python_version": python, "python_full_version": f"{python}.0"}):
            continue
        if match := re.fullmatch(r"([A-Za-z0-9_.\-]+)==(\S+)", spec.strip()):
            name = re.sub(r"[-_.]+", "-", match[1]).lower()
            assert name not in found, f"{name} is pinned twice for Python {python}"
            found[name] = match[2]
    return found


@pytest.mark.parametrize("python", PYTHONS)
def test_every_requirement_is_pinned_exactly(python):
    lines = [l.split("#")[0].strip() for l in (ROOT / "requirements.txt").read_text().splitlines()]
    lines = [l for l in lines if l]
    names = {re.split(r"[=;<>!~ ]", l)[0].lower() for l in lines}
    assert lines and len(pins(lines, python)) == len(names), \
        f"every requirement must be pinned name==version, once for Python {python}"


def test_environment_yml_matches_requirements():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d)
    # conda's environment is for the Pythons it allows (python>=3.11,<3.14): compare those.
    allowed = next(d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python"))
    versions = [p for p in PYTHONS if SpecifierSet(allowed.removeprefix("python")).contains(f"{p}.0")]
    assert versions, allowed
    for python in versions:
        assert pins(pip_section, python) == pins((ROOT / "requirements.txt").read_text().splitlines(), python)
    assert "-e ." in pip_section, "environment.yml must install aiolab itself"


@pytest.mark.parametrize("python", PYTHONS)
def test_constraints_pin_the_requirements_at_the_same_versions(python):
    required = pins((ROOT / "requirements.txt").read_text().splitlines(), python)
    locked = pins((ROOT / "constraints.txt").read_text().splitlines(), python)
    assert {name: locked.get(name) for name in required} == required


def test_the_drift_check_can_fail():
    assert pins(["a==1", "b==2"]) != pins(["a==1", "b==3"])
    marked = ['a==1; python_version < "3.15"', 'a==2; python_version >= "3.15"']
    assert pins(marked, "3.13") == {"a": "1"} and pins(marked, "3.15") == {"a": "2"}
    assert pins(marked[:1], "3.15") == {}               # a requirement left unpinned is seen
    with pytest.raises(AssertionError, match="pinned twice"):
        pins(["a==1", 'a==2; python_version >= "3.12"'], "3.13")


def test_make_lock_keeps_the_pins_other_interpreters_need():
    import sys

    sys.path.insert(0, str(ROOT / "tools"))
    from keep_markers import merge

    here = f"{sys.version_info.major}.{sys.version_info.minor}"
    old = ["# h1", "# h2", "# h3", "aiohttp==3.0", f'numpy==1.0; python_version == "{here}"',
           f'numpy==9.0; python_version != "{here}"']
    new = merge(old, ["aiohttp==3.1", "numpy==1.5", "zzz==1"])
    assert new == ["# h1", "# h2", "# h3", "aiohttp==3.1", f'numpy==1.5; python_version == "{here}"',
                   f'numpy==9.0; python_version != "{here}"', "zzz==1"]
