"""The set of instruments a site can use: bundled definitions, a site's own
definition files, and licensed text packs applied on top."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .loader import DefinitionError, load_definition
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

    def current(self, key: str) -> Definition:
        """The version to send now for `key`: the definition itself, or, when
        it is superseded, the version that replaces it (followed to the end)."""
        definition = self.get(key)
        seen = {definition.key}
        while definition.superseded_by is not None:
            definition = self.get(f"{definition.id}@{definition.superseded_by}")
            if definition.key in seen:  # refused by check_versions; never loop
                break
            seen.add(definition.key)
        return definition

    def sendable(self) -> tuple[Definition, ...]:
        """The definitions that new links and kiosk turns may use: every
        version not superseded by another."""
        return tuple(d for d in self.definitions if d.superseded_by is None)

    def keys(self) -> tuple[str, ...]:
        return tuple(d.key for d in self.definitions)

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.definitions)


def check_versions(definitions: Iterable[Definition]) -> list[str]:
    """Problems between the versions of one instrument: at most one default,
    and `superseded_by` names another loaded version of the same id, which is
    itself not superseded back (no cycle)."""
    by_id: dict[str, dict[str, Definition]] = {}
    for d in definitions:
        by_id.setdefault(d.id, {})[d.version] = d
    problems = []
    for ident, versions in sorted(by_id.items()):
        defaults = sorted(v for v, d in versions.items() if d.default)
        if len(defaults) > 1:
            problems.append(
                f"{ident}: default: only one version may be the default, not {', '.join(defaults)}"
            )
        for version, d in sorted(versions.items()):
            target = d.superseded_by
            if target is None:
                continue
            if target not in versions:
                problems.append(
                    f"{d.key}: superseded_by: {target!r} is not a loaded version of {ident} ({', '.join(sorted(versions))})"
                )
                continue
            seen = {version}
            while target is not None and target in versions and target not in seen:
                seen.add(target)
                target = versions[target].superseded_by
            if target in seen:
                problems.append(
                    f"{d.key}: superseded_by: the versions supersede each other in a loop"
                )
    return problems


@lru_cache(maxsize=1)
def bundled_definitions() -> tuple[Definition, ...]:
    files = sorted(BUNDLED_DIR.glob("*.yaml"))
    definitions = tuple(load_definition(path) for path in files)
    problems = check_versions(definitions)
    if problems:
        raise DefinitionError(problems)
    return definitions


def load_library(data_dir: Path | None = None, text_packs: bool = True) -> Library:
    """Bundled definitions plus, from `data_dir`, site definitions
    (`instruments/*.yaml`) and licensed text packs (`text-packs/*.yaml`);
    without the packs for what leaves the site (exports carry only the text
    an instrument's licence lets Tether bundle)."""
    definitions = list(bundled_definitions())
    if data_dir is not None:
        site = sorted((data_dir / "instruments").glob("*.yaml"))
        site_defs = [load_definition(path) for path in site]
        replaced = {d.key for d in site_defs}
        definitions = [d for d in definitions if d.key not in replaced] + site_defs
        packs = sorted((data_dir / "text-packs").glob("*.yaml")) if text_packs else []
        for path in packs:
            pack = read_pack(path)
            definitions = [
                apply_pack(d, pack) if pack.matches(d) else d for d in definitions
            ]
        problems = check_versions(definitions)
        if problems:
            raise DefinitionError(problems)
    definitions.sort(key=lambda d: (d.id, not d.default, d.version))
    return Library(tuple(definitions))
