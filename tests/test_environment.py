"""The pins: requirements.txt, constraints.txt and environment.yml must agree."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def pins(lines) -> dict[str, str]:
    found = {}
    for line in lines:
        line = line.split("#")[0].strip()
        if match := re.fullmatch(r"([A-Za-z0-9_.\-]+)==(\S+)", line):
            found[re.sub(r"[-_.]+", "-", match[1]).lower()] = match[2]
    return found


def test_every_requirement_is_pinned_exactly():
    lines = [l.split("#")[0].strip() for l in (ROOT / "requirements.txt").read_text().splitlines()]
    lines = [l for l in lines if l]
    assert lines and len(pins(lines)) == len(lines), "every line of requirements.txt must be name==version"


def test_environment_yml_matches_requirements():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d)
    assert pins(pip_section) == pins((ROOT / "requirements.txt").read_text().splitlines())
    assert "-e ." in pip_section, "environment.yml must install aiolab itself"


def test_constraints_pin_the_requirements_at_the_same_versions():
    required = pins((ROOT / "requirements.txt").read_text().splitlines())
    locked = pins((ROOT / "constraints.txt").read_text().splitlines())
    assert {name: locked.get(name) for name in required} == required


def test_the_drift_check_can_fail():
    assert pins(["a==1", "b==2"]) != pins(["a==1", "b==3"])
