"""What the course's graded checks say, found in their source: the scenario titles and the
failure details that :mod:`aiolab.messages` translates (its ``title()`` and ``detail()``).

The checks are written in English, as plain Python: a scenario's title is the string given
to ``checks.scenario(...)``, and a failure detail is the message of an ``assert``, of a
``GradingFailure(...)`` or ``AssertionError(...)``, a ``hint=``/``why=`` given to a timing
check, or a part given to ``messages.series(...)``. An f-string becomes a *template*: its
literal text, with each ``{expression}`` kept as written in the source (``{got!r}``,
``{first['delay']:g}``) and literal braces doubled, the way the f-string itself spells them.
A translation keeps every placeholder of its template.

Reading the source (rather than listing the messages by hand) is what lets a test fail when
a check gains a message that has no translation. Sources read: the lessons' code cells (the
visible checks) and :mod:`coursetools.checks` with the judge and :mod:`aiolab.grading`.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from pathlib import Path

import nbformat

#: Calls whose first argument is a failure message.
FAILURE_CALLS = {"GradingFailure", "AssertionError", "ChecksFailed"}
#: Keyword arguments, variables and attributes that hold a failure message or a part of one
#: (``{what}``, ``{how}`` in another message; a reason is why a submission could not be
#: graded, shown in its feedback).
MESSAGE_NAMES = {"hint", "why", "_MALFORMED", "reason", "what", "how", "state", "did", "extra", "detail", "want",
                 "WANT", "said", "told", "pages", "where"}
#: Functions whose string results are parts of messages (how a call ended, a reason).
MESSAGE_FUNCTIONS = {"ended", "_ended", "_span", "_attempts", "_where", "_copy_submission", "_copy_outputs"}


def sources(root: Path) -> Iterator[tuple[str, str]]:
    """(where, Python source) of every place the course's checks are written."""
    for path in sorted((root / "notebooks").glob("*/*.ipynb")):
        for n, cell in enumerate(nbformat.read(path, as_version=4).cells):
            if cell.cell_type == "code":
                yield f"{path.relative_to(root)} cell {n}", cell.source
    src = root / "src"
    for path in [*sorted((src / "coursetools" / "checks").glob("*.py")), src / "coursetools" / "judge.py",
                 src / "aiolab" / "grading.py", src / "coursetools" / "autograde.py",
                 src / "coursetools" / "preprocessors.py"]:
        yield str(path.relative_to(root)), path.read_text()


def _trees(root: Path) -> Iterator[ast.AST]:
    for _, source in sources(root):
        try:
            yield ast.parse(source)
        except SyntaxError:         # a cell with IPython syntax holds no check
            continue


def scenario_titles(root: Path) -> list[str]:
    """Every scenario title (``checks.scenario("...")``). Titles are looked up as they are, so
    one made by an f-string is listed as its template, which no translation can match: the
    test of the titles' translations then names it."""
    return [node.args[0].value if isinstance(node.args[0], ast.Constant) else text
            for tree in _trees(root) for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr == "scenario" and node.args
            for text in template(node.args[0]) or ()]


def chart_titles(root: Path) -> list[str]:
    """Every title a lesson gives a chart: the ``title=`` and ``titles=`` of its code cells."""
    found: dict[str, None] = {}
    for path in sorted((root / "notebooks").glob("*/*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type != "code":
                continue
            try:
                tree = ast.parse(cell.source)
            except SyntaxError:
                continue
            for node in ast.walk(tree):
                for keyword in getattr(node, "keywords", []) if isinstance(node, ast.Call) else []:
                    values = ([keyword.value] if keyword.arg == "title" else
                              list(getattr(keyword.value, "elts", [])) if keyword.arg == "titles" else [])
                    for value in values:
                        plain = isinstance(value, ast.Constant) and isinstance(value.value, str)
                        for text in [value.value] if plain else template(value) or ():
                            found.setdefault(text, None)
    return list(found)


def framing_messages(root: Path) -> list[str]:
    """Every message the course's code looks up in :data:`aiolab.messages.CATALOGUE`: the
    literal first argument of each ``_("...")`` call in ``src/``."""
    found: dict[str, None] = {}
    for path in sorted((root / "src").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "_"
                    and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
                found.setdefault(node.args[0].value, None)
    return sorted(found)


def template(node: ast.AST) -> list[str] | None:
    """The templates a message expression can produce (two for ``a if c else b``), or None
    when it is not made of string literals and f-strings."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [_escape(node.value)]
    if isinstance(node, ast.JoinedStr):
        return ["".join(_escape(v.value) if isinstance(v, ast.Constant) else _placeholder(v) for v in node.values)]
    if isinstance(node, ast.IfExp):
        body, orelse = template(node.body), template(node.orelse)
        return body + orelse if body is not None and orelse is not None else None
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = template(node.left), template(node.right)
        return [a + b for a in left for b in right] if left is not None and right is not None else None
    return None


def _escape(text: str) -> str:
    return text.replace("{", "{{").replace("}", "}}")


def _placeholder(value: ast.FormattedValue) -> str:
    text = "{" + ast.unparse(value.value)
    if value.conversion != -1:
        text += "!" + chr(value.conversion)
    if value.format_spec is not None:
        text += ":" + "".join(v.value if isinstance(v, ast.Constant) else "{" + ast.unparse(v.value) + "}"
                              for v in value.format_spec.values)
    return text + "}"


def _message_nodes(tree: ast.AST) -> Iterator[ast.AST]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Assert) and node.msg is not None:
            yield node.msg
        elif isinstance(node, ast.Call):
            name = getattr(node.func, "attr", None) or getattr(node.func, "id", None)
            if name in FAILURE_CALLS and node.args:
                yield node.args[0]
            elif name == "series" and node.args:
                yield from _parts(node.args[0])
            yield from (k.value for k in node.keywords if k.arg in MESSAGE_NAMES)
        elif isinstance(node, ast.Assign):
            if any(getattr(t, "id", None) in MESSAGE_NAMES or getattr(t, "attr", None) in MESSAGE_NAMES
                   for t in node.targets):
                yield from _choices(node.value)
        elif isinstance(node, ast.FunctionDef) and node.name in MESSAGE_FUNCTIONS:
            for n in ast.walk(node):
                if isinstance(n, ast.Return) and n.value is not None:
                    yield from _choices(n.value)
                elif isinstance(n, ast.Assign):
                    yield from _choices(n.value)
        elif isinstance(node, ast.For) and isinstance(node.target, ast.Tuple) and isinstance(node.iter, (ast.Tuple, ast.List)):
            # for ..., hint in ((..., "a hint"), ...): the hints of the cases
            names = [getattr(t, "id", None) for t in node.target.elts]
            for i in (i for i, name in enumerate(names) if name in ("hint", "why")):
                yield from (case.elts[i] for case in node.iter.elts
                            if isinstance(case, ast.Tuple) and len(case.elts) == len(names))


def _parts(node: ast.AST) -> Iterator[ast.AST]:
    """The part templates of ``messages.series(...)``'s first argument: a list of parts, a
    comprehension making them, or several of those unpacked in one list."""
    if isinstance(node, (ast.ListComp, ast.GeneratorExp)):
        yield from _choices(node.elt)
    elif isinstance(node, (ast.List, ast.Tuple)):
        for element in node.elts:
            yield from _parts(element.value if isinstance(element, ast.Starred) else element)
    else:
        yield from _choices(node)


def _choices(node: ast.AST) -> Iterator[ast.AST]:
    """The message expressions a value picks from: itself, or the values of a dict it looks
    up (``{"value": f"returned {x}", ...}.get(how, f"raised {x!r}")``)."""
    if template(node) is not None:
        yield node
    elif isinstance(node, ast.Dict):
        yield from (v for v in node.values if template(v) is not None)
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Dict):
        yield from (v for v in (*node.func.value.values, *node.args[1:]) if template(v) is not None)
    elif isinstance(node, ast.Subscript) and isinstance(node.value, ast.Dict):
        yield from (v for v in node.value.values if template(v) is not None)


def failure_templates(root: Path) -> list[str]:
    """Every failure-detail template of the course's checks, each once, in a stable order.
    A message made at run time in another way (a variable, a join) is not found; its parts
    are, when they are written as one of the forms above."""
    found: dict[str, None] = {}
    for tree in _trees(root):
        for node in _message_nodes(tree):
            for text in template(node) or ():
                if any(part for part in _literals(text)):
                    found.setdefault(text, None)
    return sorted(found)


def _literals(text: str) -> Iterable[str]:
    from aiolab.messages import template_parts

    return (part for part, is_field in template_parts(text) if not is_field and part.strip(" .,:;()'\"!?"))
