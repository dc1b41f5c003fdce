"""The body of a submitted questionnaire, one shape per instrument of the
library, so the OpenAPI document says exactly which answers each takes: its
items by id, each one of its allowed values (or a number on its scale's grid),
null for "prefer not to answer" only where the instrument allows a skip, and
the respondents it is for. The services check the same again; the schema is
what lets another app (and the contract tests) send valid answers."""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union

from pydantic import Field, create_model

from tether.instruments import Definition, Item

from .schemas import Input


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
        value = Literal[tuple(values)]
    return value | None if definition.allow_skip else value


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
    model = create_model(f"{name}Answers", __base__=Input, **fields)
    model.model_config["populate_by_name"] = False
    return model


def submission_model(definition: Definition) -> type[Input]:
    name = "".join(part.capitalize() for part in _name_parts(definition.key))
    respondents = tuple(definition.respondents)
    return create_model(
        f"{name}Submission",
        __base__=Input,
        instrument=(Literal[definition.key], ...),
        respondent=(Literal[respondents], respondents[0]),
        member=(
            int | None,
            Field(
                None,
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
