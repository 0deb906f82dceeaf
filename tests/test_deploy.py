"""deploy/z2jh-values.yaml against the Zero to JupyterHub chart's own schema, offline.

Helm merges a values file over the chart's defaults and validates the result against the
chart's ``values.schema.json``; this does the same with the chart's ``values.yaml`` and
``values.schema.yaml`` vendored in deploy/z2jh-chart/ (see their header for the commit), so
a misspelt key or a wrong type in our values fails here instead of at ``helm install``.
"""

from __future__ import annotations

from pathlib import Path

import jsonschema
import pytest
import yaml

DEPLOY = Path(__file__).resolve().parents[1] / "deploy"


def load(name: str) -> dict:
    return yaml.safe_load((DEPLOY / name).read_text())


def merged(defaults: dict, values: dict) -> dict:
    """Helm's merge of user values over chart defaults: maps merge key by key, anything
    else (lists included) replaces; a null deletes the default."""
    out = dict(defaults)
    for key, value in values.items():
        if value is None:
            out.pop(key, None)
        elif isinstance(value, dict) and isinstance(defaults.get(key), dict):
            out[key] = merged(defaults[key], value)
        else:
            out[key] = value
    return out


def problems(values: dict) -> list[str]:
    validator = jsonschema.Draft7Validator(load("z2jh-chart/values.schema.yaml"))
    return [f"{'.'.join(map(str, e.absolute_path)) or '(top)'}: {e.message}"
            for e in validator.iter_errors(merged(load("z2jh-chart/values.yaml"), values))]


def test_the_chart_defaults_themselves_validate():
    assert problems({}) == []


def test_the_course_values_validate_against_the_chart_schema():
    assert problems(load("z2jh-values.yaml")) == []


@pytest.mark.parametrize("path,value,expected", [
    (["singleuser", "memry"], {"limit": "2G"}, "Additional properties are not allowed"),
    (["singleuser", "uid"], "one thousand", "is not of type 'integer'"),
    (["hub", "config"], "shared-password", "is not of type 'object'"),
])
def test_a_wrong_key_or_type_is_caught(path, value, expected):
    values = load("z2jh-values.yaml")
    node = values
    for key in path[:-1]:
        node = node.setdefault(key, {})
    node[path[-1]] = value
    found = problems(values)
    assert any(expected in p for p in found), found
