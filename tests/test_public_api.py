"""The pure packages' public API (issue #10): each names it in its `__init__`
with `__all__`, and the rest of Tether uses that API, not the package's insides.

Read from the source (ast), so an import inside a function counts too.
"""

import ast
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PURE = ("instruments", "scoring", "signals", "simulate")
IMPORTED_FROM_THE_PACKAGE = ("instruments", "scoring", "simulate")
"""Packages whose public names the rest of Tether imports from the package
itself (`from tether.scoring import score`), so a module can move inside it."""

NOT_YET_SWITCHED: dict[str, set[str]] = {}
"""Public names still imported through their module (none left). The test
fails once an entry is no longer needed, so this list only shrinks."""


def python_files():
    for folder in ("src", "tests", "bench"):
        yield from sorted((ROOT / folder).rglob("*.py"))


def package_of(path):
    """The dotted package a file's relative imports start from."""
    parts = path.relative_to(ROOT).parent.parts
    return parts[1:] if parts[:1] == ("src",) else parts


def imports(path):
    """(module, name) of every import in the file; see `imports_in`."""
    source = path.read_text(encoding="utf-8")
    return list(imports_in(source, package_of(path)))


def imports_in(source, package):
    """(module, name) of every import in `source`, relative ones resolved from
    `package` (a tuple of names); name is None for `import a.b`."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, None
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = list(package[: len(package) - node.level + 1])
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            for alias in node.names:
                yield module, alias.name


def pure_package(module):
    """The pure package a dotted module name is in, else None."""
    parts = module.split(".")
    if len(parts) >= 2 and parts[0] == "tether" and parts[1] in PURE:
        return parts[1]
    return None


def inside(path):
    """The pure package a file belongs to, else None."""
    parts = path.relative_to(ROOT).parts
    if parts[:2] == ("src", "tether") and len(parts) > 3 and parts[2] in PURE:
        return parts[2]
    return None


def foreign_imports():
    """(file, module, name) of every import of a pure package from a file
    outside it (another pure package, a Django app, a test, a benchmark)."""
    for path in python_files():
        own = inside(path)
        for module, name in imports(path):
            package = pure_package(module)
            if package is not None and package != own:
                yield path.relative_to(ROOT).as_posix(), module, name


@pytest.mark.parametrize("package", PURE)
def test_every_name_in_all_imports_from_the_package(package):
    module = importlib.import_module(f"tether.{package}")
    public = module.__all__
    assert public, f"tether.{package} names no public API"
    assert len(set(public)) == len(public), "a name is listed twice"
    assert not [name for name in public if name.startswith("_")]
    namespace = {}
    exec(f"from tether.{package} import *", namespace)  # fails on a missing name
    assert set(public) <= set(namespace)


def test_no_module_outside_a_pure_package_imports_a_private_name_from_it():
    private = [
        f"{path}: {module}: {name}"
        for path, module, name in foreign_imports()
        if any(part.startswith("_") for part in module.split("."))
        or (name or "").startswith("_")
    ]
    assert private == []


def test_a_public_name_is_imported_from_its_package():
    through_module = {}
    for path, module, name in foreign_imports():
        package = pure_package(module)
        if package not in IMPORTED_FROM_THE_PACKAGE or name is None:
            continue
        if module == f"tether.{package}":
            continue
        api = importlib.import_module(f"tether.{package}")
        defined = getattr(importlib.import_module(module), name, None)
        if name in api.__all__ and getattr(api, name) is defined:
            through_module.setdefault(path, {}).setdefault(module, []).append(name)
    found = {
        path: {
            f"{module}: {', '.join(sorted(names))}" for module, names in found.items()
        }
        for path, found in through_module.items()
    }
    assert found == NOT_YET_SWITCHED


def test_the_import_reader_resolves_relative_and_nested_imports():
    """The checks above are only as good as `imports_in`: a relative import, or
    one inside a function, must come out as the absolute module it names."""
    source = (
        "from ..simulate._case import _pick\n"
        "from . import frames\n"
        "def f():\n"
        "    from tether.scoring.engine import score\n"
        "    import tether.signals.risk\n"
    )
    assert list(imports_in(source, ("tether", "care"))) == [
        ("tether.simulate._case", "_pick"),
        ("tether.care", "frames"),
        ("tether.scoring.engine", "score"),
        ("tether.signals.risk", None),
    ]
