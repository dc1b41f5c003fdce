"""A REDCap calculation evaluated as REDCap's help describes it, for tests:
a blank field is blank, arithmetic on a blank is blank, `sum()` and `mean()`
skip blanks (and are blank when nothing is left), `[v] = ""` asks whether a
field is blank, a comparison with a blank number is false."""

from __future__ import annotations

import operator

from tether.interop.redcap_calc import BinOp, Blank, Call, Field, Node, Number, parse


def evaluate(expression: str, values: dict[str, float | None]) -> float | None:
    return _value(parse(expression), values)


def _value(node: Node, values: dict[str, float | None]) -> float | None:
    if isinstance(node, Field):
        return values.get(node.name)
    if isinstance(node, Number):
        return node.value
    if isinstance(node, Blank):
        return None
    if isinstance(node, Call):
        if node.name == "if":
            condition, yes, no = node.args
            return _value(yes if _true(condition, values) else no, values)
        present = [v for v in (_value(a, values) for a in node.args) if v is not None]
        if not present:
            return None
        if node.name == "sum":
            return sum(present)
        if node.name == "mean":
            return sum(present) / len(present)
        raise ValueError(f"no function {node.name} here")
    if node.op in ("+", "-", "*", "/"):
        left, right = _value(node.left, values), _value(node.right, values)
        if left is None or right is None:
            return None
        arithmetic = {"+": operator.add, "-": operator.sub, "*": operator.mul}
        return arithmetic.get(node.op, operator.truediv)(left, right)
    return 1.0 if _true(node, values) else 0.0


def _true(node: Node, values: dict[str, float | None]) -> bool:
    if not isinstance(node, BinOp) or node.op not in ("=", "<>", ">=", "<=", ">", "<"):
        return bool(_value(node, values))
    left = _value(node.left, values)
    if isinstance(node.right, Blank):
        return (left is None) == (node.op == "=")
    right = _value(node.right, values)
    if left is None or right is None:
        return node.op == "<>"
    compare = {
        "=": operator.eq,
        "<>": operator.ne,
        ">=": operator.ge,
        "<=": operator.le,
        ">": operator.gt,
        "<": operator.lt,
    }
    return bool(compare[node.op](left, right))
