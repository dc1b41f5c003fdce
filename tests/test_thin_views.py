"""View modules write nothing themselves: writes live in services (and care's
responses and alerts), each in its own transaction. A view that needs a write
calls a service."""

import ast
from pathlib import Path

from tests.orm_writes import write_calls

import tether

SOURCE = Path(tether.__file__).resolve().parent
VIEW_MODULES = sorted([*SOURCE.glob("*/*views.py"), SOURCE / "portal" / "kiosk.py"])


def writes_in(path):
    found = [
        (path.name, node.lineno, "transaction")
        for node in ast.walk(ast.parse(path.read_text(), str(path)))
        if isinstance(node, ast.Name | ast.Attribute)
        and (
            getattr(node, "id", None) == "transaction"
            or getattr(node, "attr", None) == "atomic"
        )
    ]
    for node, _root in write_calls(path):
        text = ast.unparse(node.func.value)
        # form.save(commit=False) builds an object without writing it
        no_commit = any(
            k.arg == "commit"
            and isinstance(k.value, ast.Constant)
            and k.value.value is False
            for k in node.keywords
        )
        # request.session, messages and plain dicts are not the database;
        # a queryset write goes through a manager or a queryset call
        queryset = "objects" in text or isinstance(node.func.value, ast.Call)
        if "session" in text or "messages" in text or no_commit:
            continue
        if node.func.attr != "save" and not queryset:
            continue
        found.append((path.name, node.lineno, ast.unparse(node.func)))
    return found


def test_no_view_module_writes_to_the_database():
    assert VIEW_MODULES
    assert [w for path in VIEW_MODULES for w in writes_in(path)] == []


def test_the_check_finds_a_write(tmp_path):
    view = tmp_path / "views.py"
    view.write_text(
        "from django.db import transaction\n"
        "def v(request):\n"
        "    with transaction.atomic():\n"
        "        Thing.objects.filter(pk=1).update(x=2)\n"
        "    thing.save()\n"
        "    request.session['k'] = 1\n"
        "    form.save(commit=False)\n"
        "    answers.update({'1': 2})\n"
    )
    kinds = {what for *_, what in writes_in(view)}
    assert kinds == {
        "transaction",
        "Thing.objects.filter(pk=1).update",
        "thing.save",
    }
