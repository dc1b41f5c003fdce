"""The Spanish gettext catalogue: every text translated, none left fuzzy, and the
committed .mo compiled from the .po as it stands."""

import ast
import gettext
from pathlib import Path

import tether

LOCALE = Path(tether.__file__).parent / "locale" / "es" / "LC_MESSAGES"


def entries(po: str) -> dict[str, str]:
    """msgid → msgstr of a .po file (the header left out)."""
    out, key, current = {}, None, {}
    for line in [*po.splitlines(), ""]:
        if line.startswith(("msgid ", "msgstr ")):
            key, _, text = line.partition(" ")
            current[key] = ast.literal_eval(text)
        elif line.startswith('"') and key:
            current[key] += ast.literal_eval(line)
        elif not line.strip() and current:
            if current.get("msgid"):
                out[current["msgid"]] = current.get("msgstr", "")
            key, current = None, {}
    return out


def test_every_spanish_text_is_translated_and_compiled():
    po = (LOCALE / "django.po").read_text(encoding="utf-8")
    assert "#, fuzzy" not in po
    found = entries(po)
    assert "Provisional PTSD diagnosis" in found
    with (LOCALE / "django.mo").open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    for msgid, msgstr in found.items():
        assert msgstr, f"untranslated: {msgid!r}"
        assert compiled.gettext(msgid) == msgstr, f"not compiled: {msgid!r}"
