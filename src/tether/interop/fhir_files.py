"""FHIR documents as files: what `tether instruments export-fhir`,
`import-fhir` and `tether export fhir` read and write (docs/interop.md)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from tether.instruments import Definition, load_definition

from .fhir_import import (
    FhirImportError,
    ImportedInstrument,
    import_questionnaire,
    read_json,
)
from .fhir_questionnaire import NotExportable, questionnaire

__all__ = [
    "FhirImportError",
    "NotExportable",
    "as_json",
    "import_file",
    "questionnaire_json",
    "without_text_pack",
]


def as_json(resource: Mapping[str, Any]) -> str:
    """A resource as the JSON text Tether writes: indented, UTF-8 as is."""
    return json.dumps(resource, indent=2, ensure_ascii=False) + "\n"


def without_text_pack(definition: Definition) -> Definition:
    """The definition as its file has it: a site's licensed text pack, which
    may be used only locally, left out (read again from its file)."""
    if definition.text_source in ("bundled", "") or not definition.source_path:
        return definition
    return load_definition(Path(definition.source_path))


def questionnaire_json(definition: Definition) -> str:
    """The instrument's FHIR R4 Questionnaire as JSON text."""
    return as_json(questionnaire(without_text_pack(definition)))


def import_file(
    path: Path, library: Iterable[Definition], instrument_id: str | None = None
) -> ImportedInstrument:
    """The definition a Questionnaire file describes (FhirImportError with
    every problem otherwise)."""
    try:
        text = path.read_bytes()
    except OSError as error:
        raise FhirImportError([f"{path.name}: cannot be read: {error}"]) from error
    document = read_json(text, path.name)
    return import_questionnaire(document, library, instrument_id, file=path.name)
