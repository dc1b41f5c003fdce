"""The body of a submitted questionnaire, one shape per instrument of the
library, so the OpenAPI document says exactly which answers each takes: its
items by id, each one of its allowed values (or a number on its scale's grid),
null for "prefer not to answer" only where the instrument allows a skip, and
the respondents it is for. The services check the same again; the schema is
what lets another app (and the contract tests) send valid answers."""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union

from pydantic import BeforeValidator, ConfigDict, Field, create_model, model_validator

from tether.care.plan import answered_by
from tether.instruments import Definition, Item

from .schemas import Id, Input


def _answer_type(definition: Definition) -> Any:
    if definition.value_range is not None:
        grid = definition.value_range
        value: Any = Annotated[
            float,
            Field(
                ge=grid.minimum, le=grid.maximum, multiple_of=grid.step, strict=False
            ),
        ]
    else:
        values = sorted({_plain(option.value) for option in definition.options})
        # A Literal alone takes `false` for 0 and `true` for 1 (False == 0 in
        # Python), even in strict mode: the trap of ecosystem §A.6.
        value = Annotated[Literal[tuple(values)], BeforeValidator(_not_a_boolean)]
    return value | None if definition.allow_skip else value


def _not_a_boolean(value: object) -> object:
    if isinstance(value, bool):
        raise ValueError("true or false is not an answer; send the answer's value")
    return value


def _plain(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def _required(item: Item, definition: Definition) -> bool:
    """Needed in every case: an instrument without skips needs each item that
    applies to every kind of case; one asked only in some kinds may be left
    out (the service asks for it where the case's kind needs it)."""
    from tether.care.models import CaseKind

    return not definition.allow_skip and set(CaseKind.values) <= set(item.applies_to)


def answers_model(definition: Definition) -> type[Input]:
    answer = _answer_type(definition)
    fields: dict[str, Any] = {
        f"item_{index}": (
            answer,
            Field(... if _required(item, definition) else None, alias=item.id),
        )
        for index, item in enumerate(definition.items)
    }
    name = "".join(part.capitalize() for part in _name_parts(definition.key))
    return create_model(
        f"{name}Answers",
        __base__=SomeAnswers if definition.allow_skip else Input,
        **fields,
    )


class SomeAnswers(Input):
    """Answers to an instrument whose every item may be skipped: at least one
    item, answered or skipped ("prefer not to answer", null), as a link needs
    one before it can be sent."""

    model_config = ConfigDict(json_schema_extra={"minProperties": 1})

    @model_validator(mode="after")
    def _some(self) -> SomeAnswers:
        if not self.model_fields_set:
            raise ValueError("answer or skip at least one item")
        return self


def submission_model(definition: Definition) -> type[Input]:
    name = "".join(part.capitalize() for part in _name_parts(definition.key))
    respondents = answered_by(definition)
    return create_model(
        f"{name}Submission",
        __base__=Input,
        instrument=(Literal[definition.key], ...),
        respondent=(Literal[respondents], respondents[0]),
        member=(
            Id if respondents == ("member",) else Id | None,
            Field(
                ... if respondents == ("member",) else None,
                description="Who answered; for a therapist's rating, the member "
                "rated (null: the whole family).",
            ),
        ),
        answers=(answers_model(definition), ...),
    )


def _name_parts(key: str) -> list[str]:
    return [part for part in key.replace("@", "-").replace(".", "-").split("-") if part]


def submission_union(definitions: list[Definition]) -> Any:
    """One body per instrument, told apart by `instrument`."""
    models = tuple(submission_model(d) for d in definitions)
    return Annotated[Union[models], Field(discriminator="instrument")]  # noqa: UP007
