"""Finding database writes in source code, for the checks that allow them in
some modules only (tests/care/test_one_writer.py, tests/test_thin_views.py)."""

import ast
from pathlib import Path

WRITES = frozenset(
    {
        "save",
        "create",
        "bulk_create",
        "update_or_create",
        "get_or_create",
        "update",
        "bulk_update",
        "delete",
    }
)
"""The model and queryset methods that write."""


def write_calls(path: Path):
    """Each call of a write method in the file, with its receiver's root name
    (`Response` for `Response.objects.filter(...).update`), or None."""
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        if node.func.attr not in WRITES:
            continue
        root = node.func.value
        while isinstance(root, ast.Call | ast.Attribute):
            root = root.func if isinstance(root, ast.Call) else root.value
        yield node, (root.id if isinstance(root, ast.Name) else None)
