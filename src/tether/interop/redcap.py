"""REDCap data dictionaries: an instrument definition written as one, and one
read back as a definition (docs/interop.md §REDCap).

A dictionary is a CSV file of 18 columns, one row per field (REDCap's "Data
Dictionary" page). Tether writes, per instrument, a form of `radio` fields
(`code, label | code, label`), or `text` fields validated as numbers for an
instrument answered on a line (SRS, ORS), and one `calc` field per scale
(redcap_calc.py); no branching logic. Item wording is written only where the
instrument's licence lets Tether bundle it, else a neutral label ("Item 3").
Each field's annotation holds `TETHER {json}`: the instrument, version and item
or scale id, and what a dictionary has no column for (risk items, alliance
facets, bands, cutoffs, licence), so reading the dictionary back gives the
same definition.

Reading takes one form: radio and dropdown fields become items, number fields
with a minimum and maximum become items of a line instrument, calc fields
become scales; any other field type is listed and refused. What a foreign
dictionary does not say (licence, role, respondents) gets a cautious default
and a warning. The result is checked by the definition loader, so the YAML it
gives passes `tether instruments validate`.
"""

from __future__ import annotations

import html
import io
import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import defusedcsv.csv as safe_csv

from tether.instruments import Definition, DefinitionError, parse_definition, text_in
from tether.instruments.loader import KEBAB

from .definition_data import (
    about_data,
    instrument_text,
    item_data,
    number,
    option_data,
    scale_rules,
    text_data,
)
from .redcap_calc import CalcError, Total, item_term, read_total, total_expression
from .redcap_names import (
    NUMBER_STEPS,
    RECORD_ID,
    clashing_forms,
    form_names,
    validation_for,
)

COLUMNS = (
    ("field_name", "Variable / Field Name"),
    ("form_name", "Form Name"),
    ("section_header", "Section Header"),
    ("field_type", "Field Type"),
    ("field_label", "Field Label"),
    ("select_choices_or_calculations", "Choices, Calculations, OR Slider Labels"),
    ("field_note", "Field Note"),
    (
        "text_validation_type_or_show_slider_number",
        "Text Validation Type OR Show Slider Number",
    ),
    ("text_validation_min", "Text Validation Min"),
    ("text_validation_max", "Text Validation Max"),
    ("identifier", "Identifier?"),
    ("branching_logic", "Branching Logic (Show field only if...)"),
    ("required_field", "Required Field?"),
    ("custom_alignment", "Custom Alignment"),
    ("question_number", "Question Number (surveys only)"),
    ("matrix_group_name", "Matrix Group Name"),
    ("matrix_ranking", "Matrix Ranking?"),
    ("field_annotation", "Field Annotation"),
)
"""Each column's name in REDCap's API (metadata export) and in the CSV file
the Data Dictionary page gives."""
HEADER = tuple(title for _, title in COLUMNS)
REQUIRED_COLUMNS = ("field_name", "form_name", "field_type", "field_label")
MARK = "TETHER "
"""Begins Tether's JSON in a field annotation."""
CHOICE_TYPES = ("radio", "dropdown")
DEFAULT_LANGUAGE = "en"


class DictionaryError(ValueError):
    """A dictionary Tether cannot write or read; `problems` names each field
    (`row N: name: reason`)."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


# ---- writing ---------------------------------------------------------------------


def dictionary_rows(
    definitions: Sequence[Definition], language: str = DEFAULT_LANGUAGE
) -> list[dict[str, str]]:
    """The dictionary of these instruments, one mapping of column (API name)
    to cell per field, the record ID first."""
    if not definitions:
        raise DictionaryError(["no instrument to write"])
    problems = clashing_forms(definitions)
    if problems:
        raise DictionaryError(problems)
    first = form_names(definitions[0]).form
    rows = [_row(RECORD_ID, first, "text", "Record ID")]
    for definition in definitions:
        rows += _form_rows(definition, language)
    return rows


def dictionary_csv(rows: Sequence[Mapping[str, str]]) -> str:
    """The dictionary as REDCap's CSV file (its column titles), every cell
    safe to open in a spreadsheet (defusedcsv); a choice list that starts with
    a minus sign gets a leading space instead, which REDCap ignores."""
    buffer = io.StringIO()
    writer = safe_csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADER)
    for row in rows:
        cells = [row.get(key, "") for key, _ in COLUMNS]
        choices = cells[5]
        if choices[:1] in ("-", "+"):
            cells[5] = f" {choices}"
        writer.writerow(cells)
    return buffer.getvalue()


def form_language(definition: Definition, wanted: str) -> str:
    """The language a form is written in: `wanted` where the instrument has
    it, else its first language (its option labels' for an instrument whose
    wording is not bundled)."""
    d = definition
    if d.licence.text_bundled:
        return wanted if wanted in d.languages else d.languages[0]
    if all(wanted in option.label for option in d.options):
        return wanted
    return DEFAULT_LANGUAGE


def _row(name: str, form: str, kind: str, label: str, **cells: str) -> dict[str, str]:
    return {
        "field_name": name,
        "form_name": form,
        "field_type": kind,
        "field_label": label,
        **cells,
    }


def _form_rows(d: Definition, language: str) -> list[dict[str, str]]:
    names = form_names(d)
    language = form_language(d, language)
    # Only wording the licence bundles, never a site's licensed text pack.
    text = d.licence.text_bundled
    where = {"instrument": d.id, "version": d.version}
    about: dict[str, Any] = {
        "title": text_data(d.title),
        **about_data(d),
        "language": language,
    }
    if text:
        about |= {"languages": list(d.languages), **instrument_text(d)}
    if d.value_range is None:
        about["options"] = [option_data(option) for option in d.options]
    else:
        about["step"] = number(d.value_range.step)
    rows = []
    for index, item in enumerate(d.items):
        extra = item_data(item, text)
        extra.pop("id")
        others = {k: v for k, v in extra.pop("text", {}).items() if k != language}
        if others:
            extra["text"] = others
        note: dict[str, Any] = {**where, "item": item.id, **extra}
        if index == 0:
            note["definition"] = about
        label = text_in(item.text, language) if text else f"Item {item.id}"
        cells = {
            "section_header": text_in(d.title, language) if index == 0 else "",
            "required_field": "" if d.allow_skip else "y",
            "field_annotation": _annotation(note),
        }
        if d.value_range is None:
            cells["select_choices_or_calculations"] = " | ".join(
                f"{number(o.value)}, {_choice_label(text_in(o.label, language))}"
                for o in d.options
            )
            cells["matrix_group_name"] = names.form
            rows.append(_row(names.items[item.id], names.form, "radio", label, **cells))
        else:
            r = d.value_range
            cells["text_validation_type_or_show_slider_number"] = validation_for(r.step)
            cells["text_validation_min"] = f"{number(r.minimum)}"
            cells["text_validation_max"] = f"{number(r.maximum)}"
            rows.append(_row(names.items[item.id], names.form, "text", label, **cells))
    for scale in d.scales:
        fields = [names.items[i] for i in scale.items]
        terms = [_term(d, d.item(i), names.items[i]) for i in scale.items]
        expression = total_expression(scale.method, scale.min_answered, fields, terms)
        note = {
            **where,
            "scale": scale.id,
            "label": text_data(scale.label),
            **scale_rules(scale),
        }
        rows.append(
            _row(
                names.scales[scale.id],
                names.form,
                "calc",
                text_in(scale.label, language),
                select_choices_or_calculations=expression,
                field_note=_scale_note(
                    d, scale.method, scale.min_answered, len(fields)
                ),
                field_annotation=_annotation(note),
            )
        )
    return rows


def _choice_label(label: str) -> str:
    # `|` separates choices in REDCap's list.
    return label.replace("|", "/")


def _term(d: Definition, item: Any, name: str) -> str:
    scores = [(o.value, o.score) for o in d.options if o.score != o.value]
    low, high = d.score_bounds
    return item_term(name, scores, low + high if item.reverse else None)


def _scale_note(d: Definition, method: str, min_answered: int, n: int) -> str:
    low, high = d.score_bounds
    what = "Mean" if method == "mean" else "Sum"
    need = (
        "every item answered"
        if min_answered == n
        else f"at least {min_answered} of {n} items answered"
        + ("; prorated as mean × n" if method == "sum" else "")
    )
    return f"{what} of {n} items scored {number(low)}–{number(high)}; {need}"


def _annotation(data: Mapping[str, Any]) -> str:
    return MARK + json.dumps(data, ensure_ascii=False, separators=(",", ":"))


# ---- reading ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Imported:
    definition: Definition
    data: dict[str, Any]
    """The definition file's content (YAML shape)."""
    warnings: tuple[str, ...]


@dataclass(slots=True)
class _Field:
    row: int
    name: str
    form: str
    kind: str
    label: str
    choices: str
    note: str
    validation: str
    minimum: str
    maximum: str
    branching: str
    required: bool
    section: str
    tether: dict[str, Any] = field(default_factory=dict)

    @property
    def where(self) -> str:
        return f"row {self.row}: {self.name}"


def column_keys(header: Sequence[str]) -> dict[str, int]:
    """Column key → position, from REDCap's titles or its API names."""
    known = {}
    for key, title in COLUMNS:
        known[_plain(key)] = key
        known[_plain(title)] = key
    known[_plain("Branching Logic")] = "branching_logic"
    known[_plain("Question Number")] = "question_number"
    return {
        known[_plain(name)]: position
        for position, name in enumerate(header)
        if _plain(name) in known
    }


def _plain(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", title.lower()).strip()


def read_dictionary(
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    row_numbers: Sequence[int],
    file: str,
    form: str | None = None,
    key: str | None = None,
) -> Imported:
    """One form of a dictionary as a definition; DictionaryError lists every
    problem (`row N: field: reason`, rows numbered as a spreadsheet shows
    them). `key` (`id@version`) names the instrument where the dictionary does
    not."""
    columns = column_keys(header)
    missing = [dict(COLUMNS)[k] for k in REQUIRED_COLUMNS if k not in columns]
    if missing:
        raise DictionaryError(
            [
                f"{file}: not a REDCap data dictionary: no column {name!r}"
                for name in missing
            ]
        )
    problems: list[str] = []
    warnings: list[str] = []
    fields = [
        _field(columns, cells, n, problems)
        for cells, n in zip(rows, row_numbers, strict=True)
    ]
    if fields and fields[0].kind == "text" and not fields[0].validation:
        warnings.append(
            f"{fields[0].where}: skipped: the project's record ID field (its first field), not an item"
        )
        fields = fields[1:]
    chosen = _chosen_form(fields, form, problems)
    fields = [f for f in fields if f.form == chosen]
    seen: dict[str, int] = {}
    for f in fields:
        if f.name in seen:
            problems.append(
                f"{f.where}: the name is used already in row {seen[f.name]}"
            )
        seen.setdefault(f.name, f.row)
    if problems:
        raise DictionaryError(problems)
    builder = _Builder(chosen, fields, file, problems, warnings)
    data = builder.build(key)
    if problems:
        raise DictionaryError(problems)
    try:
        definition = parse_definition(data, file)
    except DefinitionError as error:
        raise DictionaryError(
            [
                f"{problem} (as the definition the dictionary gives)"
                for problem in error.problems
            ]
        ) from error
    return Imported(definition, data, tuple(warnings))


def _field(
    columns: Mapping[str, int], cells: Sequence[str], row: int, problems: list[str]
) -> _Field:
    def cell(key: str) -> str:
        position = columns.get(key)
        return (
            ""
            if position is None or position >= len(cells)
            else str(cells[position]).strip()
        )

    f = _Field(
        row=row,
        name=cell("field_name"),
        form=cell("form_name"),
        kind=cell("field_type").lower(),
        label=cell("field_label"),
        choices=cell("select_choices_or_calculations"),
        note=cell("field_note"),
        validation=cell("text_validation_type_or_show_slider_number").lower(),
        minimum=cell("text_validation_min"),
        maximum=cell("text_validation_max"),
        branching=cell("branching_logic"),
        required=cell("required_field").lower() in ("y", "yes", "1"),
        section=cell("section_header"),
    )
    if not f.name:
        problems.append(f"row {row}: the field has no name (Variable / Field Name)")
    if not f.form:
        problems.append(f"{f.where}: no form name")
    annotation = cell("field_annotation")
    start = annotation.find(MARK)
    if start >= 0:
        try:
            data, _ = json.JSONDecoder().raw_decode(annotation, start + len(MARK))
        except json.JSONDecodeError as error:
            problems.append(
                f"{f.where}: Field Annotation: Tether's part is not valid JSON ({error.msg})"
            )
        else:
            if isinstance(data, dict):
                f.tether = data
            else:
                problems.append(
                    f"{f.where}: Field Annotation: Tether's part must be a JSON object"
                )
    return f


def _chosen_form(fields: list[_Field], form: str | None, problems: list[str]) -> str:
    forms = list(dict.fromkeys(f.form for f in fields if f.form))
    if form is not None:
        if form not in forms:
            problems.append(
                f"no form {form!r} in the dictionary; its forms: {', '.join(forms) or 'none'}"
            )
        return form
    if not forms:
        problems.append("the dictionary has no field to read")
        return ""
    if len(forms) > 1:
        problems.append(
            f"the dictionary has {len(forms)} forms ({', '.join(forms)}): choose one (--form)"
        )
    return forms[0]


ITEM_KEYS = (
    "content",
    "reverse",
    "loinc",
    "risk",
    "alliance",
    "applies_to",
    "target",
    "text_for",
)
SCALE_KEYS = (
    "higher_is_better",
    "missing_rule_source",
    "bands",
    "bands_source",
    "cutoff",
    "change",
)
ABOUT_KEYS = (
    "short_title",
    "citation",
    "licence",
    "validated",
    "key_verified",
    "role",
    "respondents",
    "trauma_content",
    "allow_skip",
    "default",
    "superseded_by",
    "ages",
    "recall",
    "loinc",
)
TEXT_KEYS = ("instructions", "stem", "member_title")
DEFAULTS: dict[str, Any] = {
    "citation": "Not recorded: imported from a REDCap data dictionary; add the published source.",
    "licence": {
        "class": "permission_required",
        "text_bundled": True,
        "note": "Not recorded: imported from a REDCap data dictionary. Check the instrument's licence before use.",
    },
    "role": "screen",
    "respondents": ["client"],
}
"""What a dictionary without Tether's annotations does not say: cautious
values (a screen raises no alliance or outcome alert), each named in a warning."""


class _Builder:
    def __init__(
        self,
        form: str,
        fields: list[_Field],
        file: str,
        problems: list[str],
        warnings: list[str],
    ) -> None:
        self.form = form
        self.fields = fields
        self.file = file
        self.problems = problems
        self.warnings = warnings
        self.items = [f for f in fields if f.kind in CHOICE_TYPES or f.kind == "text"]
        self.calcs = [f for f in fields if f.kind == "calc"]
        first = next(
            (f.tether.get("definition") for f in fields if "definition" in f.tether),
            None,
        )
        self.about: dict[str, Any] = first if isinstance(first, dict) else {}

    def build(self, key: str | None) -> dict[str, Any]:
        for f in self.fields:
            if f.kind not in (*CHOICE_TYPES, "text", "calc"):
                self.problems.append(
                    f"{f.where}: field type {f.kind or '(none)'!r} cannot be read as an item "
                    "(Tether reads radio and dropdown fields, number fields with a minimum "
                    "and maximum, and calc fields as scale totals)"
                )
            if f.branching:
                self.warnings.append(
                    f"{f.where}: branching logic dropped ({f.branching}): Tether asks every item"
                )
        ident, version = self._key(key)
        response, scored = self._response()
        item_ids = self._item_ids()
        totals = self._totals(item_ids)
        scores, reverse = self._keys(totals, response, scored)
        language = str(self.about.get("language") or "en")
        licence = self.about.get("licence", DEFAULTS["licence"])
        text = not (isinstance(licence, dict) and licence.get("text_bundled") is False)
        data: dict[str, Any] = {
            "id": ident,
            "version": version,
            "title": self._title(language),
        }
        data |= self._about(language, text)
        languages = self.about.get("languages")
        if not isinstance(languages, list) or language not in languages:
            languages = [language]
        data["languages"] = languages if text else []
        if text:
            data |= {k: self.about[k] for k in TEXT_KEYS if k in self.about}
        if "options" in response:
            for option in response["options"]:
                points = scores.get(option["value"])
                if points is not None and points != option["value"]:
                    option["score"] = number(points)
        data["response"] = response
        if "allow_skip" not in data:
            data["allow_skip"] = not any(f.required for f in self.items) and any(
                t.min_answered < len(t.terms) for _, t in totals
            )
        data["items"] = [
            self._item(f, item_ids[f.name], reverse.get(f.name), language, text)
            for f in self.items
        ]
        data["scales"] = [self._scale(f, t, item_ids, language) for f, t in totals]
        if not self.calcs:
            self.problems.append(
                f"form {self.form!r}: no calc field: a Tether instrument needs at least "
                "one scale total (e.g. sum([a], [b]))"
            )
        return data

    def _key(self, key: str | None) -> tuple[str, str]:
        named = {
            (str(f.tether["instrument"]), str(f.tether.get("version", "")))
            for f in self.fields
            if "instrument" in f.tether
        }
        if key:
            ident, _, version = key.partition("@")
            if not KEBAB.match(ident) or not version:
                self.problems.append(
                    f"{key!r} is not an instrument id@version such as my-scale@1.0"
                )
            return ident, version
        if len(named) > 1:
            listed = ", ".join(sorted(f"{i}@{v}" for i, v in named))
            self.problems.append(
                f"form {self.form!r}: its fields name several instruments ({listed})"
            )
        if named:
            return next(iter(named))
        ident = re.sub(r"_+", "-", self.form).strip("-")
        if not KEBAB.match(ident):
            ident = "redcap-" + re.sub(r"[^a-z0-9]+", "-", ident.lower()).strip("-")
        self.warnings.append(
            f"id and version: not in the dictionary; {ident}@1.0 from the form name (--id to choose)"
        )
        return ident, "1.0"

    def _title(self, language: str) -> dict[str, str]:
        title = self.about.get("title")
        if isinstance(title, dict) and title:
            return {str(k): str(v) for k, v in title.items()}
        header = next((f.section for f in self.items if f.section), "")
        if header:
            return {language: _words(header)}
        self.warnings.append("title: not in the dictionary; the form name is used")
        return {
            language: self.form.replace("_", " ").strip().capitalize() or "Imported"
        }

    def _about(self, language: str, text: bool) -> dict[str, Any]:
        data = {k: self.about[k] for k in ABOUT_KEYS if k in self.about}
        defaulted = [k for k in DEFAULTS if k not in data]
        for k in defaulted:
            data[k] = DEFAULTS[k]
        if defaulted:
            self.warnings.append(
                f"{', '.join(defaulted)}: not in the dictionary; set to cautious defaults "
                "(licence permission_required, role screen, respondents client): check them"
            )
        return data

    def _response(self) -> tuple[dict[str, Any], list[float]]:
        """The answers every item shares (options or a number range), and the
        stored values in order."""
        choice = [f for f in self.items if f.kind in CHOICE_TYPES]
        numbers = [f for f in self.items if f.kind == "text"]
        for f in numbers:
            if f.validation not in (*NUMBER_STEPS, "number") or not (
                f.minimum and f.maximum
            ):
                self.problems.append(
                    f"{f.where}: a text field is an item only when validated as a number "
                    "with a minimum and maximum"
                )
        if choice and numbers:
            self.problems.append(
                f"{numbers[0].where}: a number field beside choice fields ({choice[0].where}); "
                "a Tether instrument has one kind of answer"
            )
        if not self.items:
            self.problems.append(
                f"form {self.form!r}: no radio, dropdown or number field to read as an item"
            )
            return {"options": []}, []
        if choice:
            return self._options(choice)
        return self._range(numbers)

    def _options(self, fields: list[_Field]) -> tuple[dict[str, Any], list[float]]:
        parsed = [(f, self._choices(f)) for f in fields]
        first_field, first = parsed[0]
        for f, choices in parsed[1:]:
            if choices and first and choices != first:
                self.problems.append(
                    f"{f.where}: its choices differ from {first_field.name}'s (row "
                    f"{first_field.row}); a Tether instrument has one set of answers"
                )
        language = str(self.about.get("language") or "en")
        stated = self.about.get("options")
        known = {
            o.get("value"): o
            for o in (stated if isinstance(stated, list) else [])
            if isinstance(o, dict)
        }
        options = []
        for value, label in first:
            option: dict[str, Any] = {"value": value, "label": {language: label}}
            other = known.get(value, {})
            if isinstance(other.get("label"), dict):
                option["label"] = {**other["label"], language: label}
            for kept in ("picture", "loinc"):
                if kept in other:
                    option[kept] = other[kept]
            options.append(option)
        return {"options": options}, [value for value, _ in first]

    def _choices(self, f: _Field) -> list[tuple[int | float, str]]:
        choices: list[tuple[int | float, str]] = []
        if not f.choices:
            self.problems.append(f"{f.where}: no choices")
            return choices
        for part in f.choices.split("|"):
            code, comma, label = part.partition(",")
            code, label = code.strip(), _words(label)
            try:
                value = float(code)
            except ValueError:
                value = math.nan
            if not comma or not label:
                self.problems.append(
                    f"{f.where}: choice {part.strip()!r} is not 'code, label'"
                )
            elif not math.isfinite(value):
                self.problems.append(
                    f"{f.where}: choice code {code!r} is not a number (Tether scores numbers)"
                )
            elif any(value == v for v, _ in choices):
                self.problems.append(f"{f.where}: choice code {code} appears twice")
            else:
                choices.append((number(value), label))
        return choices

    def _range(self, fields: list[_Field]) -> tuple[dict[str, Any], list[float]]:
        first = fields[0]
        for f in fields[1:]:
            if (f.validation, f.minimum, f.maximum) != (
                first.validation,
                first.minimum,
                first.maximum,
            ):
                self.problems.append(
                    f"{f.where}: its validation or range differs from {first.name}'s (row {first.row})"
                )
        step = NUMBER_STEPS.get(first.validation) or self.about.get("step")
        try:
            low, high = float(first.minimum), float(first.maximum)
        except ValueError:
            self.problems.append(f"{first.where}: minimum and maximum must be numbers")
            return {"range": {}}, []
        if not isinstance(step, int | float):
            self.problems.append(
                f"{first.where}: validation {first.validation!r} does not say the step between "
                "answers; use integer, number_1dp or number_2dp"
            )
            return {"range": {}}, []
        return {
            "range": {"min": number(low), "max": number(high), "step": number(step)}
        }, [low, high]

    def _item_ids(self) -> dict[str, str]:
        ids = {}
        prefix = f"{self.form}_"
        for f in self.items:
            given = f.tether.get("item")
            if given is not None:
                ids[f.name] = str(given)
            else:
                ids[f.name] = (
                    f.name.removeprefix(prefix) if f.name != prefix else f.name
                )
        return ids

    def _totals(self, item_ids: Mapping[str, str]) -> list[tuple[_Field, Total]]:
        totals = []
        for f in self.calcs:
            try:
                total = read_total(f.choices)
            except CalcError as error:
                self.problems.append(f"{f.where}: calculation {f.choices!r}: {error}")
                continue
            unknown = [name for name in total.fields if name not in item_ids]
            if unknown:
                self.problems.append(
                    f"{f.where}: calculation refers to {', '.join(unknown)}, not an item of form {self.form!r}"
                )
                continue
            if total.warning:
                self.warnings.append(f"{f.where}: {total.warning}")
            totals.append((f, total))
        return totals

    def _keys(
        self,
        totals: list[tuple[_Field, Total]],
        response: Mapping[str, Any],
        values: list[float],
    ) -> tuple[dict[float, float], dict[str, bool]]:
        """Option scores and reversed items, from every calculation; the same
        item must be scored alike in each."""
        scores: dict[float, tuple[float, str]] = {}
        reverse: dict[str, tuple[float | None, str]] = {}
        for f, total in totals:
            for term in total.terms:
                for value, points in term.scores:
                    known = scores.setdefault(value, (points, f.name))
                    if known[0] != points:
                        self.problems.append(
                            f"{f.where}: answer {number(value)} scores {number(points)}, "
                            f"but {number(known[0])} in {known[1]}"
                        )
                    if values and value not in values:
                        self.problems.append(
                            f"{f.where}: scores answer {number(value)} of {term.field}, not one of its choices"
                        )
                if term.exhaustive:
                    listed = {v for v, _ in term.scores}
                    for value in values:
                        if value not in listed:
                            self.problems.append(
                                f"{f.where}: leaves answer {number(value)} of {term.field} without a score"
                            )
                seen = reverse.setdefault(term.field, (term.reverse_from, f.where))
                if seen[0] != term.reverse_from:
                    self.problems.append(
                        f"{f.where}: {term.field} is "
                        f"{'reversed' if term.reverse_from is not None else 'not reversed'} here "
                        f"but {'reversed' if seen[0] is not None else 'not reversed'} in "
                        f"{seen[1].partition(': ')[2]}"
                    )
        mapped = {value: points for value, (points, _) in scores.items()}
        scored = [mapped.get(v, v) for v in values]
        if "range" in response and scores:
            self.problems.append(
                "a number field's answers cannot be rescored with if()"
            )
        flags: dict[str, bool] = {}
        for name, (k, where) in reverse.items():
            flags[name] = k is not None
            if k is not None and scored:
                expected = min(scored) + max(scored)
                if k != expected:
                    self.problems.append(
                        f"{where}: reverses {name} as {number(k)} − score, but its scores run "
                        f"{number(min(scored))}–{number(max(scored))} "
                        f"(Tether reverses as {number(expected)} − score)"
                    )
        for f in self.items:
            stated = f.tether.get("reverse")
            if isinstance(stated, bool) and f.name in flags and stated != flags[f.name]:
                self.problems.append(
                    f"{f.where}: Field Annotation says reverse: {str(stated).lower()}, "
                    "but the calculations score it otherwise"
                )
        return mapped, flags

    def _item(
        self,
        f: _Field,
        ident: str,
        reversed_: bool | None,
        language: str,
        text: bool,
    ) -> dict[str, Any]:
        item: dict[str, Any] = {"id": ident}
        if text:
            others = f.tether.get("text")
            words = dict(others) if isinstance(others, dict) else {}
            if not f.label:
                self.problems.append(f"{f.where}: no field label (the item's text)")
            else:
                item["text"] = {**words, language: _words(f.label)}
        for k in ITEM_KEYS:
            if k in f.tether and (text or k != "text_for"):
                item[k] = f.tether[k]
        if reversed_ is not None:
            item["reverse"] = reversed_
        if not item.get("reverse"):
            item.pop("reverse", None)
        return item

    def _scale(
        self,
        f: _Field,
        total: Total,
        item_ids: Mapping[str, str],
        language: str,
    ) -> dict[str, Any]:
        given = f.tether.get("scale")
        prefix = f"{self.form}_"
        ident = (
            str(given)
            if given is not None
            else re.sub(r"_+", "-", f.name.removeprefix(prefix)).strip("-")
        )
        label = f.tether.get("label")
        scale: dict[str, Any] = {
            "id": ident,
            "label": label
            if isinstance(label, dict) and label
            else {language: _words(f.label) or ident},
            "items": [item_ids[name] for name in total.fields],
            "method": total.method,
            "min_answered": total.min_answered,
        }
        scale |= {k: f.tether[k] for k in SCALE_KEYS if k in f.tether}
        if "higher_is_better" not in scale:
            scale["higher_is_better"] = False
            self.warnings.append(
                f"{f.where}: higher_is_better: not in the dictionary; set to false "
                "(a higher score is worse): check it"
            )
        return scale


def _words(label: str) -> str:
    """A label's text: REDCap labels may hold HTML tags and entities."""
    return html.unescape(re.sub(r"<[^>]+>", "", label)).strip()
