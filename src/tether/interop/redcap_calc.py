"""REDCap calculations for scale totals, written and read (docs/interop.md
§REDCap calculations).

REDCap computes a `calc` field from an expression over other fields: `[name]`
is a field's value, `sum(…)` and `mean(…)` skip blank values, `if(c, a, b)`
chooses, `[name] <> ""` asks whether a field was answered, and arithmetic on
a blank gives a blank (REDCap's help on calculated fields and special
functions). Tether writes each scale as the scoring engine scores it
(tether.scoring.engine):

- an item term: `[v]`; an option scored otherwise than its stored value (CRIES:
  2 → 3, 3 → 5) `if([v]=2, 3, if([v]=3, 5, [v]))`; a reversed item
  `if([v]="", "", K-[v])` with K the lowest plus the highest scored value, so
  a blank stays blank;
- the count of answered items `if([a]<>"", 1, 0)+…`;
- a scale: `if((count)>=k, body, "")`, k its `min_answered`, the body
  `sum(terms)` for a sum scale that needs every item, `mean(terms)*n` for a sum
  scale prorated over n items, `mean(terms)` for a mean scale.

Reading accepts those, and the plainer forms found in other dictionaries
whose meaning is the same as a Tether scale: `[a]+[b]+…` (a sum needing every
item), `([a]+[b])/2` (a mean needing every item), `mean(…)` (a mean of what was
answered) and `sum(…)` (read as a sum needing every item, with a warning: REDCap
adds whatever was answered). Anything else is refused with the reason.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from .definition_data import number

# ---- the expression tree ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Field:
    name: str


@dataclass(frozen=True, slots=True)
class Number:
    value: float


@dataclass(frozen=True, slots=True)
class Blank:
    """The empty string "" (REDCap's blank)."""


@dataclass(frozen=True, slots=True)
class Call:
    name: str
    args: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class BinOp:
    op: str
    left: Node
    right: Node


Node = Field | Number | Blank | Call | BinOp


class CalcError(ValueError):
    """An expression that cannot be read, or not as a scale total; the message
    says why."""


_TOKEN = re.compile(
    r"""\s*(?:
      (?P<field>\[[^\[\]]*\])
    | (?P<number>\d+(?:\.\d+)?|\.\d+)
    | (?P<string>"[^"]*"|'[^']*')
    | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
    | (?P<op><>|!=|>=|<=|==|[=<>+\-*/(),])
    )""",
    re.VERBOSE,
)
_COMPARISONS = {"=": "=", "==": "=", "<>": "<>", "!=": "<>", ">=": ">=", "<=": "<="}
_COMPARISONS |= {">": ">", "<": "<"}


def parse(expression: str) -> Node:
    """The tree of an expression in the part of REDCap's calculation syntax
    Tether reads (numbers, "", fields, + - * /, comparisons, function calls)."""
    tokens = _tokens(expression)
    parser = _Parser(tokens, expression)
    node = parser.comparison()
    if parser.position != len(tokens):
        raise CalcError(f"unexpected {tokens[parser.position][1]!r}")
    return node


def _tokens(expression: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    position = 0
    text = expression.rstrip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise CalcError(f"cannot read {text[position:].strip()[:20]!r}")
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind)))
        position = match.end()
    if not tokens:
        raise CalcError("the calculation is empty")
    return tokens


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]], expression: str) -> None:
        self.tokens = tokens
        self.position = 0
        self.expression = expression

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self, value: str | None = None) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise CalcError("the calculation ends too soon")
        if value is not None and token[1] != value:
            raise CalcError(f"expected {value!r}, found {token[1]!r}")
        self.position += 1
        return token

    def comparison(self) -> Node:
        left = self.additive()
        token = self.peek()
        if token is not None and token[0] == "op" and token[1] in _COMPARISONS:
            self.take()
            return BinOp(_COMPARISONS[token[1]], left, self.additive())
        return left

    def additive(self) -> Node:
        node = self.term()
        while (token := self.peek()) is not None and token[1] in ("+", "-"):
            self.take()
            node = BinOp(token[1], node, self.term())
        return node

    def term(self) -> Node:
        node = self.unary()
        while (token := self.peek()) is not None and token[1] in ("*", "/"):
            self.take()
            node = BinOp(token[1], node, self.unary())
        return node

    def unary(self) -> Node:
        token = self.peek()
        if token is not None and token[1] == "-":
            self.take()
            operand = self.unary()
            if isinstance(operand, Number):
                return Number(-operand.value)
            return BinOp("*", Number(-1.0), operand)
        return self.primary()

    def primary(self) -> Node:
        kind, value = self.take()
        if kind == "number":
            return Number(float(value))
        if kind == "string":
            if len(value) > 2:
                raise CalcError(f"text {value} is not a number")
            return Blank()
        if kind == "field":
            following = self.peek()
            if following is not None and following[0] == "field":
                raise CalcError(
                    f"{value}{following[1]} refers to a field of another event"
                )
            return Field(value[1:-1].strip())
        if kind == "name":
            self.take("(")
            args: list[Node] = []
            if (token := self.peek()) is not None and token[1] == ")":
                self.take()
                return Call(value.lower(), ())
            while True:
                args.append(self.comparison())
                closing = self.take()
                if closing[1] == ")":
                    return Call(value.lower(), tuple(args))
                if closing[1] != ",":
                    raise CalcError(f"expected ',' or ')', found {closing[1]!r}")
        if value == "(":
            node = self.comparison()
            self.take(")")
            return node
        raise CalcError(f"unexpected {value!r}")


# ---- writing -----------------------------------------------------------------------


def _num(value: float) -> str:
    return str(number(value))


def item_term(
    name: str,
    scores: Sequence[tuple[float, float]] = (),
    reverse_from: float | None = None,
) -> str:
    """The scored value of one item field: `scores` lists (stored value, scored
    value) where they differ; `reverse_from` is K in K - score."""
    term = f"[{name}]"
    for value, score in reversed(scores):
        term = f"if([{name}]={_num(value)}, {_num(score)}, {term})"
    if reverse_from is not None:
        term = f'if([{name}]="", "", {_num(reverse_from)}-{term})'
    return term


def answered_count(names: Sequence[str]) -> str:
    return "+".join(f'if([{name}]<>"", 1, 0)' for name in names)


def total_expression(
    method: Literal["sum", "mean"],
    min_answered: int,
    names: Sequence[str],
    terms: Sequence[str],
) -> str:
    """A scale's calculation: blank with fewer than `min_answered` answers, else
    the sum (prorated as mean × n when an answer may be missing) or the mean."""
    joined = ", ".join(terms)
    if method == "mean":
        body = f"mean({joined})"
    elif min_answered >= len(terms):
        body = f"sum({joined})"
    else:
        body = f"mean({joined})*{len(terms)}"
    return f'if(({answered_count(names)})>={min_answered}, {body}, "")'


# ---- reading -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Term:
    """One item in a total: its field, scored values that differ from the
    stored ones, and K where the item is reversed (K - score)."""

    field: str
    scores: tuple[tuple[float, float], ...] = ()
    reverse_from: float | None = None
    exhaustive: bool = False
    """True when the `if` chain lists every value (ending in "", not the field)."""


@dataclass(frozen=True, slots=True)
class Total:
    method: Literal["sum", "mean"]
    min_answered: int
    terms: tuple[Term, ...]
    warning: str = ""
    """Where REDCap's result differs from Tether's for some answers."""

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(term.field for term in self.terms)


SUM_WARNING = (
    "REDCap's sum() adds whatever items were answered; Tether reads it as a sum "
    "that needs every item (set min_answered to allow prorating)"
)


def read_total(expression: str) -> Total:
    """The scale a calculation computes, or CalcError saying why it is not one."""
    node = parse(expression)
    total = _guarded(node) or _plain_total(node)
    if total is None:
        raise CalcError(
            "is not a sum or mean of item fields that Tether can read "
            "(docs/interop.md §REDCap calculations)"
        )
    fields = total.fields
    repeated = sorted({f for f in fields if fields.count(f) > 1})
    if repeated:
        raise CalcError(f"counts [{repeated[0]}] more than once")
    return total


def _guarded(node: Node) -> Total | None:
    """`if(count >= k, body, "")`, Tether's own form."""
    if not (
        isinstance(node, Call)
        and node.name == "if"
        and len(node.args) == 3
        and isinstance(node.args[2], Blank)
    ):
        return None
    condition = node.args[0]
    if not (
        isinstance(condition, BinOp)
        and condition.op in (">=", "=")
        and isinstance(condition.right, Number)
    ):
        return None
    counted = _counted(condition.left)
    if counted is None:
        return None
    body = node.args[1]
    method: Literal["sum", "mean"]
    if isinstance(body, Call) and body.name in ("sum", "mean"):
        method, terms = ("sum" if body.name == "sum" else "mean"), body.args
    elif (
        isinstance(body, BinOp)
        and body.op == "*"
        and isinstance(body.left, Call)
        and body.left.name == "mean"
        and isinstance(body.right, Number)
    ):
        method, terms = "sum", body.left.args
        if body.right.value != len(terms):
            raise CalcError(
                f"multiplies the mean of {len(terms)} items by {_num(body.right.value)}"
            )
    else:
        return None
    read = tuple(_term(t) for t in terms)
    if sorted(counted) != sorted(t.field for t in read):
        raise CalcError("counts other items than it adds up")
    k = condition.right.value
    n = len(read)
    if condition.op == "=" and k != n:
        return None
    if not (k.is_integer() and 1 <= k <= n):
        raise CalcError(f"needs {_num(k)} answers of {n} items")
    if isinstance(body, Call) and body.name == "sum" and k < n:
        raise CalcError(
            f"adds the answered items when only {_num(k)} of {n} are needed, "
            "without prorating; Tether prorates a sum as mean × number of items"
        )
    return Total(method, int(k), read)


def _counted(node: Node) -> list[str] | None:
    """The fields of `if([a]<>"", 1, 0)+if([b]<>"", 1, 0)+…`."""
    fields = []
    for part in _summands(node):
        if not (isinstance(part, Call) and part.name == "if" and len(part.args) == 3):
            return None
        condition, yes, no = part.args
        if not (
            isinstance(condition, BinOp)
            and isinstance(condition.left, Field)
            and isinstance(condition.right, Blank)
        ):
            return None
        if (condition.op, yes, no) in (
            ("<>", Number(1.0), Number(0.0)),
            ("=", Number(0.0), Number(1.0)),
        ):
            fields.append(condition.left.name)
        else:
            return None
    return fields


def _summands(node: Node) -> list[Node]:
    if isinstance(node, BinOp) and node.op == "+":
        return [*_summands(node.left), *_summands(node.right)]
    return [node]


def _plain_total(node: Node) -> Total | None:
    """The plainer forms other dictionaries use."""
    if isinstance(node, Call) and node.name == "sum" and node.args:
        terms = tuple(_term(t) for t in node.args)
        return Total("sum", len(terms), terms, SUM_WARNING)
    if isinstance(node, Call) and node.name == "mean" and node.args:
        return Total("mean", 1, tuple(_term(t) for t in node.args))
    if (
        isinstance(node, BinOp)
        and node.op == "/"
        and isinstance(node.right, Number)
        and isinstance(node.left, BinOp)
        and node.left.op == "+"
    ):
        parts = _summands(node.left)
        if node.right.value != len(parts):
            raise CalcError(
                f"divides the sum of {len(parts)} items by {_num(node.right.value)}"
            )
        terms = tuple(_term(t) for t in parts)
        return Total("mean", len(terms), terms)
    if isinstance(node, BinOp) and node.op == "+":
        terms = tuple(_term(t) for t in _summands(node))
        return Total("sum", len(terms), terms)
    return None


def _term(node: Node) -> Term:
    if isinstance(node, Field):
        return Term(node.name)
    if isinstance(node, BinOp) and node.op == "-" and isinstance(node.left, Number):
        return _reversed(node.left.value, node.right)
    if isinstance(node, Call) and node.name == "if" and len(node.args) == 3:
        condition, yes, no = node.args
        if (
            isinstance(condition, BinOp)
            and condition.op == "="
            and isinstance(condition.left, Field)
            and isinstance(condition.right, Blank)
            and isinstance(yes, Blank)
            and isinstance(no, BinOp)
            and no.op == "-"
            and isinstance(no.left, Number)
        ):
            term = _reversed(no.left.value, no.right)
            if term.field != condition.left.name:
                raise CalcError(
                    f"tests [{condition.left.name}] but reverses [{term.field}]"
                )
            return term
        return _rescored(node)
    raise CalcError(f"cannot read {_show(node)} as one item's score")


def _reversed(k: float, node: Node) -> Term:
    inner = Term(node.name) if isinstance(node, Field) else _rescored(node)
    return Term(inner.field, inner.scores, k, inner.exhaustive)


def _rescored(node: Node) -> Term:
    """`if([v]=a, b, if([v]=c, d, [v]))`: answer a scores b, c scores d."""
    scores: list[tuple[float, float]] = []
    field: str | None = None
    while isinstance(node, Call) and node.name == "if" and len(node.args) == 3:
        condition, yes, rest = node.args
        if not (
            isinstance(condition, BinOp)
            and condition.op == "="
            and isinstance(condition.left, Field)
            and isinstance(condition.right, Number)
            and isinstance(yes, Number)
        ):
            raise CalcError(f"cannot read {_show(node)} as one item's score")
        if field is not None and condition.left.name != field:
            raise CalcError(
                f"mixes [{field}] and [{condition.left.name}] in one item's score"
            )
        field = condition.left.name
        scores.append((condition.right.value, yes.value))
        node = rest
    if field is None:
        raise CalcError(f"cannot read {_show(node)} as one item's score")
    if isinstance(node, Blank):
        return Term(field, tuple(scores), exhaustive=True)
    if isinstance(node, Field) and node.name == field:
        return Term(field, tuple(scores))
    raise CalcError(f"cannot read the end of [{field}]'s score: {_show(node)}")


def _show(node: Node) -> str:
    if isinstance(node, Field):
        return f"[{node.name}]"
    if isinstance(node, Number):
        return _num(node.value)
    if isinstance(node, Blank):
        return '""'
    if isinstance(node, Call):
        return f"{node.name}({', '.join(_show(a) for a in node.args)})"
    return f"({_show(node.left)}{node.op}{_show(node.right)})"
