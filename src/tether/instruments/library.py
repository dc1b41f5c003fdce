"""The set of instruments a site can use: bundled definitions, a site's own
definition files, and licensed text packs applied on top."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .loader import load_definition
from .model import Definition
from .textpacks import apply_pack, read_pack

BUNDLED_DIR = Path(__file__).parent / "definitions"


class UnknownInstrument(LookupError):
    def __init__(self, key: str, known: Iterable[str]) -> None:
        self.key = key
        super().__init__(
            f"unknown instrument {key!r}; known instruments: {', '.join(sorted(known))}"
        )

    def __str__(self) -> str:
        return str(self.args[0])


@dataclass(frozen=True, slots=True)
class Library:
    definitions: tuple[Definition, ...]

    def get(self, key: str) -> Definition:
        """An instrument by `id` (its default version) or by `id@version`."""
        ident, _, version = key.partition("@")
        candidates = [d for d in self.definitions if d.id == ident]
        if version:
            candidates = [d for d in candidates if d.version == version]
        if not candidates:
            raise UnknownInstrument(key, self.keys())
        defaults = [d for d in candidates if d.default]
        return (defaults or candidates)[0]

    def keys(self) -> tuple[str, ...]:
        return tuple(d.key for d in self.definitions)

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.definitions)


@lru_cache(maxsize=1)
def bundled_definitions() -> tuple[Definition, ...]:
    files = sorted(BUNDLED_DIR.glob("*.yaml"))
    return tuple(load_definition(path) for path in files)


def load_library(data_dir: Path | None = None) -> Library:
    """Bundled definitions plus, from `data_dir`, site definitions
    (`instruments/*.yaml`) and licensed text packs (`text-packs/*.yaml`)."""
    definitions = list(bundled_definitions())
    if data_dir is not None:
        site = sorted((data_dir / "instruments").glob("*.yaml"))
        site_defs = [load_definition(path) for path in site]
        replaced = {d.key for d in site_defs}
        definitions = [d for d in definitions if d.key not in replaced] + site_defs
        for path in sorted((data_dir / "text-packs").glob("*.yaml")):
            pack = read_pack(path)
            definitions = [
                apply_pack(d, pack) if pack.matches(d) else d for d in definitions
            ]
    definitions.sort(key=lambda d: (d.id, not d.default, d.version))
    return Library(tuple(definitions))
