"""Instrument definitions as data: model, loader, library and text packs (pure)."""

from .library import Library, UnknownInstrument, bundled_definitions, load_library
from .loader import DefinitionError, load_definition, parse_definition
from .model import PICTURES, Definition, Item, Option, Recovery, Scale, text_in
from .textpacks import TextPack, TextPackError, check_pack, read_pack, store_pack

__all__ = [
    "PICTURES",
    "Definition",
    "DefinitionError",
    "Item",
    "Library",
    "Option",
    "Recovery",
    "Scale",
    "TextPack",
    "TextPackError",
    "UnknownInstrument",
    "bundled_definitions",
    "check_pack",
    "load_definition",
    "load_library",
    "parse_definition",
    "read_pack",
    "store_pack",
    "text_in",
]
