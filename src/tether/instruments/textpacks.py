"""Licensed text packs: a site's own item text for an instrument whose text
Tether may not bundle (the CamCOPS "local upgrade" pattern, docs/clinical-rules.md
§Licences).

A pack is YAML or CSV (docs/instrument-format.md). It is checked against the
definition before it is stored; definitions loaded later carry its text.
"""

from __future__ import annotations

import csv
import dataclasses
import io
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from .loader import LANGUAGE
from .model import Definition, Text

PACK_DIR = "text-packs"


class TextPackError(ValueError):
    """A text pack is invalid; `problems` lists each reason."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True, slots=True)
class TextPack:
    instrument: str
    version: str | None
    source: str
    items: dict[str, dict[str, str]]
    stem: dict[str, str] = field(default_factory=dict)
    instructions: dict[str, str] = field(default_factory=dict)
    options: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def languages(self) -> tuple[str, ...]:
        found = {lang for text in self.items.values() for lang in text}
        return tuple(sorted(found))

    def matches(self, definition: Definition) -> bool:
        return self.instrument == definition.id and self.version in (
            None,
            definition.version,
        )


def read_pack(path: Path, instrument: str | None = None) -> TextPack:
    """Parse a YAML or CSV pack; CSV packs take their instrument from `instrument`."""
    name = path.name
    try:
        raw = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise TextPackError([f"{name}: cannot be read: {error}"]) from error
    if path.suffix.lower() == ".csv":
        return _read_csv(name, raw, instrument)
    try:
        data = yaml.safe_load(raw)
    except yaml.YAMLError as error:
        raise TextPackError([f"{name}: is not valid YAML: {error}"]) from error
    if not isinstance(data, dict):
        raise TextPackError(
            [f"{name}: must be a YAML mapping with instrument and items"]
        )
    return _from_mapping(name, data)


def _from_mapping(name: str, data: dict[str, Any]) -> TextPack:
    problems = []
    instrument, _, version = str(data.get("instrument") or "").partition("@")
    if not instrument:
        problems.append(f"{name}: instrument: is required")
    items = data.get("items")
    if not isinstance(items, dict) or not items:
        problems.append(
            f"{name}: items: must map each item id to its text per language"
        )
        items = {}
    unknown = set(data) - {
        "instrument",
        "version",
        "source",
        "items",
        "stem",
        "instructions",
        "options",
    }
    problems += [f"{name}: {key}: is not a known field" for key in sorted(unknown)]
    texts = {str(k): _text(name, f"items.{k}", v, problems) for k, v in items.items()}
    raw_options = data.get("options") or {}
    options = {
        str(k): _text(name, f"options.{k}", v, problems) for k, v in raw_options.items()
    }
    stem = _text(name, "stem", data.get("stem") or {}, problems)
    instructions = _text(name, "instructions", data.get("instructions") or {}, problems)
    if problems:
        raise TextPackError(problems)
    return TextPack(
        instrument=instrument,
        version=str(data.get("version") or version) or None,
        source=str(data.get("source") or ""),
        items=texts,
        stem=stem,
        instructions=instructions,
        options=options,
    )


def _text(name: str, where: str, value: object, problems: list[str]) -> dict[str, str]:
    if not isinstance(value, dict):
        problems.append(f"{name}: {where}: must map language codes to text")
        return {}
    out = {}
    for language, words in value.items():
        if not isinstance(language, str) or not LANGUAGE.match(language):
            problems.append(f"{name}: {where}: {language!r} is not a language code")
        elif not isinstance(words, str) or not words.strip():
            problems.append(f"{name}: {where}.{language}: is empty")
        else:
            out[language] = words.strip()
    return out


def _read_csv(name: str, raw: str, instrument: str | None) -> TextPack:
    rows = list(csv.reader(io.StringIO(raw)))
    if not rows or not rows[0] or rows[0][0].strip().lower() != "item":
        raise TextPackError(
            [f"{name}: the first row must be a header: item,<language>[,<language>…]"]
        )
    header = [cell.strip() for cell in rows[0]]
    problems = [
        f"{name}: header: {lang!r} is not a language code"
        for lang in header[1:]
        if not LANGUAGE.match(lang)
    ]
    items: dict[str, dict[str, str]] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        item = row[0].strip()
        if item in items:
            problems.append(f"{name}: row {number}: item {item!r} appears twice")
        texts = dict(zip(header[1:], (cell.strip() for cell in row[1:]), strict=False))
        items[item] = {lang: text for lang, text in texts.items() if text}
    if problems:
        raise TextPackError(problems)
    return TextPack(
        instrument=instrument or "",
        version=None,
        source=f"CSV pack {name}",
        items=items,
    )


def check_pack(pack: TextPack, definition: Definition) -> list[str]:
    """Every reason the pack cannot be applied to `definition`."""
    if pack.instrument != definition.id:
        return [
            f"the pack is for instrument {pack.instrument!r}, not {definition.id!r}"
        ]
    if pack.version not in (None, definition.version):
        return [
            f"the pack is for version {pack.version!r}; {definition.id} has version {definition.version!r}"
        ]
    problems = []
    known = definition.item_ids
    for item in pack.items:
        if item not in known:
            problems.append(
                f"item {item!r} is not an item of {definition.key} (items: {', '.join(known)})"
            )
    for item in known:
        have = pack.items.get(item, {})
        missing = [lang for lang in pack.languages if lang not in have]
        if item not in pack.items:
            problems.append(f"item {item!r} has no text in the pack")
        elif missing:
            problems.append(f"item {item!r} has no text in {', '.join(missing)}")
    values = {f"{option.value:g}" for option in definition.options}
    for value in pack.options:
        if value not in values:
            problems.append(
                f"option {value!r} is not an answer value of {definition.key}"
            )
    return problems


def apply_pack(definition: Definition, pack: TextPack) -> Definition:
    """The definition with the pack's text merged in (pack text wins per language)."""
    items = tuple(
        dataclasses.replace(item, text=_merge(item.text, pack.items.get(item.id, {})))
        for item in definition.items
    )
    options = tuple(
        dataclasses.replace(
            option,
            label=_merge(option.label, pack.options.get(f"{option.value:g}", {})),
        )
        for option in definition.options
    )
    languages = tuple(dict.fromkeys((*definition.languages, *pack.languages)))
    return dataclasses.replace(
        definition,
        items=items,
        options=options,
        languages=languages,
        stem=_merge(definition.stem, pack.stem),
        instructions=_merge(definition.instructions, pack.instructions),
        text_source=pack.source or "local text pack",
    )


def _merge(base: Text, extra: dict[str, str]) -> Text:
    return MappingProxyType({**base, **extra})


def store_pack(pack: TextPack, definition: Definition, data_dir: Path) -> Path:
    """Check the pack against `definition` and save it under the data directory."""
    problems = check_pack(pack, definition)
    if problems:
        raise TextPackError(problems)
    folder = data_dir / PACK_DIR
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{definition.key}.yaml"
    document = {
        "instrument": definition.id,
        "version": definition.version,
        "source": pack.source,
        "items": pack.items,
        "stem": pack.stem,
        "instructions": pack.instructions,
        "options": pack.options,
    }
    path.write_text(
        yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    return path
