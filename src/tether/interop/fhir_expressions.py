"""Reading a Questionnaire's calculated items without evaluating them: which
items a calculated score refers to, and whether it is a plain sum or mean of
their scores.

SDC (http://hl7.org/fhir/uv/sdc/expressions.html) writes a calculated item as
a FHIRPath `calculatedExpression`, often through named `variable`s defined on
the Questionnaire or on the item (LHC-Forms' PHQ-9 total: nine variables, each
the ordinalValue of one answer, added up in `iif(…)`). Tether does not run
FHIRPath. It expands the variables as text, collects the linkIds the result
names (`linkId = '…'`), and reads it as a sum of scores only when it refers to
scores (ordinalValue, itemWeight, `weight()` or `ordinal()`) and uses no other
arithmetic than addition (`avg()`: a mean). Anything else is reported, never
guessed (docs/interop.md §Import).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

_VARIABLE = re.compile(r"%([A-Za-z_][A-Za-z0-9_]*)")
_LINK_ID = re.compile(r"linkId\s*=\s*'((?:[^'\\]|\\.)*)'")
_STRING = re.compile(r"'(?:[^'\\]|\\.)*'|`(?:[^`\\]|\\.)*`")
_OTHER_ARITHMETIC = re.compile(r"[*/-]|\bdiv\b|\bmod\b")
_SCORES = ("ordinalValue", "itemWeight", "iso21090-CO-value", "weight()", "ordinal()")
BUILT_IN = frozenset(
    {
        "resource",
        "questionnaire",
        "context",
        "rootResource",
        "qitem",
        "ucum",
        "sct",
        "loinc",
        "factory",
        "terminologies",
        "server",
    }
)
"""FHIRPath and SDC environment variables, which are not the document's own."""


@dataclass(frozen=True, slots=True)
class Calculation:
    """What a calculated item's expression amounts to."""

    link_ids: tuple[str, ...]
    """The linkIds it names, in the order first named."""
    method: Literal["sum", "mean"] | None
    """sum or mean of the items' scores; None: something else (see `reason`)."""
    reason: str
    """Why it is not read as a sum or mean; empty when it is."""
    missing_as_zero: bool
    """It counts an unanswered item as 0 (`iif(….exists(), …, 0)`)."""
    unknown_variables: tuple[str, ...]


def expand(
    expression: str, variables: Mapping[str, str]
) -> tuple[str, tuple[str, ...]]:
    """The expression with every `%variable` the document defines replaced by
    its own (expanded) expression, and the variables it names but nobody
    defines."""
    unknown: list[str] = []

    def replace(text: str, seen: frozenset[str]) -> str:
        def one(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in BUILT_IN:
                return match.group(0)
            if name not in variables:
                if name not in unknown:
                    unknown.append(name)
                return match.group(0)
            if name in seen:  # a loop: leave it named
                return match.group(0)
            return f"({replace(variables[name], seen | {name})})"

        return _VARIABLE.sub(one, text)

    return replace(expression, frozenset()), tuple(unknown)


def read_calculation(expression: str, variables: Mapping[str, str]) -> Calculation:
    """What `expression` computes, as far as its text says without doubt."""
    text, unknown = expand(expression, variables)
    link_ids = tuple(
        dict.fromkeys(m.group(1).replace("\\'", "'") for m in _LINK_ID.finditer(text))
    )
    bare = _STRING.sub("''", text)
    missing_as_zero = bool(re.search(r"exists\(\)", bare)) and bool(
        re.search(r",\s*0\s*\)", bare)
    )
    method: Literal["sum", "mean"] | None = None
    reason = ""
    if unknown:
        reason = f"it names variables the Questionnaire does not define: {', '.join(unknown)}"
    elif not link_ids:
        reason = "it names no item (linkId = '…')"
    elif not any(word in text for word in _SCORES):
        reason = (
            "it does not add up answer scores (ordinalValue, itemWeight or weight())"
        )
    elif _OTHER_ARITHMETIC.search(bare):
        reason = "it computes more than a sum or mean of scores (-, *, / or div)"
    else:
        method = "mean" if "avg(" in bare else "sum"
    return Calculation(link_ids, method, reason, missing_as_zero, unknown)
