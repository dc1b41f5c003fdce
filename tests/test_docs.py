"""The documentation and the code agree (after datasette's test_docs.py).

- Every environment variable the code reads is listed in the README, and every
  variable the README lists is read somewhere.
- Every setting read with `getattr(settings, …)` is set in settings.py and, if
  it is Tether's own, listed in the README.
- Every alert kind in docs/signals.md has its texts in the catalogue and is
  raised by the code, and the reverse.

The code is read, not run: the names come from its syntax tree, so a setting or
an alert added without its documentation fails here."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "tether"
README = (ROOT / "README.md").read_text(encoding="utf-8")
SIGNALS_DOC = (ROOT / "docs" / "signals.md").read_text(encoding="utf-8")
CATALOGUE = SRC / "signals" / "catalogue.yaml"

SETTINGS_READERS = {"envbool", "envint"}
ENVIRONMENT_READERS = {"get", "getenv", *SETTINGS_READERS}
"""`os.environ.get(NAME)`, `os.getenv(NAME)` and settings.py's `envbool(NAME)`
and `envint(NAME)`;
`os.environ[NAME]` is found as a subscript. `setdefault` sets a default for
Django itself and reads nothing of the user's."""


def python_files(folder: Path) -> Iterator[Path]:
    return (p for p in sorted(folder.rglob("*.py")) if "migrations" not in p.parts)


def is_environ(node: ast.AST) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "environ"


def environment_reads(folder: Path) -> dict[str, str]:
    """Every environment variable read in `folder`: name → where."""
    found: dict[str, str] = {}
    for path in python_files(folder):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            name = None
            if isinstance(node, ast.Call) and node.args:
                function = node.func
                called = getattr(function, "attr", getattr(function, "id", ""))
                from_environ = isinstance(function, ast.Attribute) and (
                    is_environ(function.value) or called == "getenv"
                )
                if called in ENVIRONMENT_READERS and (
                    from_environ or called in SETTINGS_READERS
                ):
                    name = node.args[0]
            elif (
                isinstance(node, ast.Subscript)
                and is_environ(node.value)
                and isinstance(node.ctx, ast.Load)
            ):
                name = node.slice
            if isinstance(name, ast.Constant) and isinstance(name.value, str):
                found.setdefault(name.value, f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def readme_names() -> set[str]:
    return set(re.findall(r"`((?:TETHER|DATABASE|XDG)_[A-Z_]+)`", README))


def test_every_environment_variable_the_code_reads_is_in_the_readme():
    read = environment_reads(SRC) | {
        name: where
        for name, where in environment_reads(ROOT / "tests").items()
        if name.startswith("TETHER_")
    }
    assert {"TETHER_DATA_DIR", "TETHER_SECRET_KEY", "DATABASE_URL"} <= set(read)
    missing = {name: where for name, where in read.items() if name not in README}
    assert missing == {}, "read by the code, not in README.md"


def test_every_setting_in_the_readme_is_read_by_the_code():
    read = set(environment_reads(SRC)) | set(environment_reads(ROOT / "tests"))
    assert readme_names() - read == set()


def test_every_setting_the_code_reads_is_set_in_settings_and_documented():
    settings_py = ast.parse((SRC / "settings.py").read_text(encoding="utf-8"))
    assigned = {
        target.id
        for node in settings_py.body
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name)
    }
    read = set()
    for path in python_files(SRC):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", "") == "getattr"
                and getattr(node.args[0], "id", "") == "settings"
                and isinstance(node.args[1], ast.Constant)
            ):
                read.add(node.args[1].value)
            elif (
                isinstance(node, ast.Attribute)
                and getattr(node.value, "id", "") == "settings"
                and node.attr.startswith("TETHER_")
            ):
                read.add(node.attr)
    assert "TETHER_BASE_URL" in read
    assert read - assigned == set(), "read with getattr but not set in settings.py"
    own = {name for name in read if name.startswith("TETHER_")}
    assert own - readme_names() == set(), "Tether settings missing from README.md"


# ---- alert kinds ----------------------------------------------------------------


def documented_kinds() -> set[str]:
    """The first column of the rules table of docs/signals.md."""
    table = SIGNALS_DOC.split("## Rules", 1)[1].split("\n\n", 2)[1]
    kinds = set()
    for line in table.splitlines()[2:]:
        cell = line.split("|")[1]
        kinds |= {kind.strip() for kind in cell.split("/")}
    return kinds


def catalogue_kinds() -> set[str]:
    return set(yaml.safe_load(CATALOGUE.read_text(encoding="utf-8")))


class KindsInCode:
    """The alert kinds the rules raise: the first argument of every call to
    `model.rows(kind, …)` in tether.signals, followed back through constants,
    parameters, loop variables, tuple unpacking and dictionaries."""

    def __init__(self) -> None:
        self.modules = {
            path.stem: ast.parse(path.read_text(encoding="utf-8"))
            for path in python_files(SRC / "signals")
        }
        self.unresolved: list[str] = []

    def kinds(self) -> set[str]:
        found: set[str] = set()
        for module, tree in self.modules.items():
            for function, call in self._calls(tree, "rows"):
                if call.args:
                    found |= self.values(call.args[0], module, function)
        return found

    def _calls(self, tree, name):
        """(the function a call is in, or the module; the call) for each call
        of `name`."""
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == name:
                yield self._owner(tree, node) or tree, node

    def _owner(self, tree, target):
        owner = None
        for function in ast.walk(tree):
            if isinstance(function, ast.FunctionDef) and any(
                node is target for node in ast.walk(function)
            ):
                owner = function  # the innermost comes last
        return owner

    def values(self, expr, module, function, position=None) -> set[str]:
        """The strings `expr` can be; with `position`, its element at that
        position (for tuple unpacking)."""
        if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
            return {expr.value} if position is None else self._fail(expr, module)
        if isinstance(expr, ast.Tuple | ast.List):
            if position is not None and isinstance(expr, ast.Tuple):
                return self.values(expr.elts[position], module, function)
            return {
                value
                for element in expr.elts
                for value in self.values(element, module, function, position)
            }
        if isinstance(expr, ast.Dict):
            return {
                value
                for element in expr.values
                for value in self.values(element, module, function, position)
            }
        if isinstance(expr, ast.Subscript):
            return self.values(expr.value, module, function, position)
        if isinstance(expr, ast.BinOp):
            return self.values(expr.left, module, function, position) | self.values(
                expr.right, module, function, position
            )
        if isinstance(expr, ast.Name):
            return self._name(expr, module, function, position)
        return self._fail(expr, module)

    def _name(self, name, module, function, position):
        if isinstance(function, ast.FunctionDef):
            parameters = [a.arg for a in function.args.args]
            if name.id in parameters:
                return self._arguments(
                    function, parameters.index(name.id), module, position
                )
            bound = self._bindings(function, name.id, module, position)
            if bound is not None:
                return bound
        tree = self.modules[module]
        bound = self._bindings(tree, name.id, module, position, top=True)
        if bound is not None:
            return bound
        for node in tree.body:
            if (
                isinstance(node, ast.ImportFrom)
                and node.level == 1
                and any(alias.name == name.id for alias in node.names)
            ):
                return self._name(name, node.module, None, position)
        return self._fail(name, module)

    def _bindings(self, scope, name, module, position, top=False):
        """The values bound to `name` in `scope` (assignments, `+=`, loops)."""
        statements = scope.body if top else list(ast.walk(scope))
        found, bound = set(), False
        for node in statements:
            if isinstance(node, ast.Assign | ast.AugAssign):
                targets = (
                    node.targets if isinstance(node, ast.Assign) else [node.target]
                )
                for target in targets:
                    if isinstance(target, ast.Name) and target.id == name:
                        bound = True
                        found |= self.values(node.value, module, scope, position)
                    elif isinstance(target, ast.Tuple):
                        ids = [getattr(t, "id", None) for t in target.elts]
                        if name in ids:
                            bound = True
                            found |= self.values(
                                node.value, module, scope, ids.index(name)
                            )
            elif isinstance(node, ast.For) and not top:
                target = node.target
                if isinstance(target, ast.Name) and target.id == name:
                    bound = True
                    found |= self.values(node.iter, module, scope, position)
                elif isinstance(target, ast.Tuple):
                    ids = [getattr(t, "id", None) for t in target.elts]
                    if name in ids:
                        bound = True
                        found |= self._elements(
                            node.iter, module, scope, ids.index(name)
                        )
        return found if bound else None

    def _elements(self, iterable, module, scope, position):
        """The strings at `position` of the tuples that `iterable` yields."""
        if isinstance(iterable, ast.List | ast.Tuple):
            return {
                value
                for element in iterable.elts
                for value in self.values(element, module, scope, position)
            }
        if isinstance(iterable, ast.Name):
            found, bound = set(), False
            for node in ast.walk(scope):
                if isinstance(node, ast.Assign | ast.AugAssign):
                    targets = (
                        node.targets if isinstance(node, ast.Assign) else [node.target]
                    )
                    if any(getattr(t, "id", None) == iterable.id for t in targets):
                        bound = True
                        found |= self._elements(node.value, module, scope, position)
            if bound:
                return found
        return self._fail(iterable, module)

    def _arguments(self, function, index, module, position):
        found = set()
        for caller, call in self._calls(self.modules[module], function.name):
            argument = call.args[index] if index < len(call.args) else None
            if argument is None:
                return self._fail(call, module)
            found |= self.values(argument, module, caller, position)
        return found

    def _fail(self, node, module):
        self.unresolved.append(f"{module}.py:{node.lineno}: {ast.unparse(node)}")
        return set()


def test_the_code_raises_the_alert_kinds_it_can_be_read_for():
    reader = KindsInCode()
    kinds = reader.kinds()
    assert reader.unresolved == [], (
        "a rows() kind this test cannot follow back to its strings: "
        "name the kind with a string constant"
    )
    assert {"risk-item", "rupture", "split-dyad", "recovery"} <= kinds


def test_every_alert_kind_in_docs_is_in_the_catalogue_and_the_code():
    documented = documented_kinds()
    assert {"risk-item", "within-family-safety"} <= documented
    assert documented - catalogue_kinds() == set(), "in docs/signals.md only"
    assert documented - KindsInCode().kinds() == set(), "documented, never raised"


def test_every_alert_kind_in_the_catalogue_and_the_code_is_documented():
    documented = documented_kinds()
    assert catalogue_kinds() - documented == set(), "in catalogue.yaml only"
    assert KindsInCode().kinds() - documented == set(), "raised, not in docs"
