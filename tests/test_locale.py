"""The gettext catalogues (docs/translating.md), each language's in turn.

- The .po has no fuzzy guesses and no obsolete entries, and the committed
  .mo is exactly the .po compiled: a fresh install needs no gettext tools, so
  a .mo left behind would show stale or missing translations.
- Every text a client, family member or child reads is translated: the texts
  whose `#:` reference is one of CLIENT_FACING (the questionnaire, kiosk and
  crisis pages, and the Python modules that write the member pages, link
  messages, invitation email and SMS). Clinician pages may wait.
- The catalogue lists every text the code marks (needs GNU gettext), and
  every text in the templates goes through gettext.
"""

from __future__ import annotations

import ast
import gettext
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.core.management import call_command

import tether

PACKAGE = Path(tether.__file__).parent
LOCALE = PACKAGE / "locale" / "es" / "LC_MESSAGES"
CATALOGUES = sorted((PACKAGE / "locale").glob("*/LC_MESSAGES/django.po"))

CLIENT_FACING = frozenset(
    [
        *(
            f"portal/templates/portal/{name}.html"
            for name in (
                "portal_base",
                "_languages",
                "welcome",
                "_instrument_head",
                "_item",
                "item",
                "page",
                "support",
                "_crisis",
                "done",
                "message",
                "kiosk_list",
                "kiosk_handover",
                "kiosk_finished",
            )
        ),
        # Every text of these modules counts, the few clinician ones too: they
        # write the member pages, link problems, kiosk notices and the
        # invitation email and SMS.
        "portal/views.py",
        "portal/services/tokens.py",
        "portal/services/invitations.py",
        "portal/services/messages.py",
        "portal/services/answers.py",
        "portal/kiosk.py",
        # An answer the engine refuses, in words for people (paper and links).
        "care/answers.py",
        "accounts/crisis_lines.py",
    ]
)
"""Where the texts members read come from, as the .po's `#:` references name
them. The portal's clinician pages (links, link_issued, kiosk_exit) are not
here."""

SHOWN_IN_SPANISH_ELSEWHERE = frozenset(
    ["care/breakdown.py", "care/rule_results.py", "care/summary.py"]
)
"""Clinician texts already translated, with Spanish tests of their own."""

SAME_AS_ENGLISH = frozenset(["%(dimension)s (%(earlier)s → %(value)s)"])
"""Texts translated as the English itself: a format with no words."""

PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


@dataclass
class Entry:
    msgid: str = ""
    context: str | None = None
    plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    references: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)

    @property
    def translated(self) -> bool:
        return bool(self.msgstr) and all(self.msgstr.values())


def read_po(path: Path) -> list[Entry]:
    """The entries of a .po file, the header left out."""
    entries = []
    for block in re.split(r"\n\s*\n", path.read_text(encoding="utf-8").strip()):
        entry, key = Entry(), ""
        for line in block.splitlines():
            if line.startswith("#:"):
                entry.references += line[2:].split()
            elif line.startswith("#,"):
                entry.flags |= {flag.strip() for flag in line[2:].split(",")}
            elif line.startswith("#"):
                continue
            elif line.startswith('"'):
                text = ast.literal_eval(line)
                if key.startswith("msgstr"):
                    index = int(key[7:-1]) if "[" in key else 0
                    entry.msgstr[index] += text
                else:
                    setattr(entry, FIELDS[key], getattr(entry, FIELDS[key]) + text)
            else:
                key, _, text = line.partition(" ")
                value = ast.literal_eval(text)
                if key.startswith("msgstr"):
                    entry.msgstr[int(key[7:-1]) if "[" in key else 0] = value
                else:
                    setattr(entry, FIELDS[key], value)
        if entry.msgid:
            entries.append(entry)
    return entries


FIELDS = {"msgid": "msgid", "msgctxt": "context", "msgid_plural": "plural"}


@pytest.fixture(scope="module", params=CATALOGUES, ids=lambda path: path.parts[-3])
def po(request) -> Path:
    """Each language's .po in turn (a translator's new language included)."""
    return request.param  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def catalogue(po) -> list[Entry]:
    return read_po(po)


@pytest.fixture(scope="module")
def spanish() -> list[Entry]:
    return read_po(LOCALE / "django.po")


def test_the_catalogue_has_no_guesses_and_nothing_obsolete(po, catalogue):
    text = po.read_text(encoding="utf-8")
    assert not [e.msgid for e in catalogue if "fuzzy" in e.flags]
    assert "\n#~ " not in text, "obsolete entries: run `tether makemessages`"
    assert len({(e.context, e.msgid) for e in catalogue}) == len(catalogue)


def test_the_committed_mo_is_the_po_compiled(po, catalogue):
    """Every translation of the .po, and nothing else, is in the .mo: a change
    to the .po without `tether compilemessages` fails here."""
    expected: dict[object, str] = {}
    for entry in catalogue:
        if not entry.translated:
            continue
        msgid = entry.msgid
        if entry.context is not None:
            msgid = f"{entry.context}\x04{msgid}"
        if entry.plural is None:
            expected[msgid] = entry.msgstr[0]
        else:
            expected |= {(msgid, n): text for n, text in entry.msgstr.items()}
    with po.with_suffix(".mo").open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    found = {k: v for k, v in compiled._catalog.items() if k != ""}  # type: ignore[attr-defined]
    stale = sorted(map(str, found.keys() - expected.keys()))
    missing = sorted(map(str, expected.keys() - found.keys()))
    changed = sorted(
        str(k) for k in expected.keys() & found.keys() if expected[k] != found[k]
    )
    assert (stale, missing, changed) == ([], [], []), "run `tether compilemessages`"


def test_the_check_reads_plural_and_context_entries(spanish):
    """The comparison above covers plural and context entries: there are some."""
    assert any(e.plural and e.translated for e in spanish)
    assert any(e.context for e in spanish)


def test_every_text_members_read_is_translated(po, catalogue):
    required = CLIENT_FACING
    if po == LOCALE / "django.po":
        required |= SHOWN_IN_SPANISH_ELSEWHERE
    problems = []
    for entry in catalogue:
        if not required & set(entry.references):
            continue
        if not entry.translated:
            problems.append(f"untranslated: {entry.msgid!r}")
        elif (
            entry.msgid not in SAME_AS_ENGLISH and entry.msgid in entry.msgstr.values()
        ):
            problems.append(f"left in English: {entry.msgid!r}")
    assert problems == []


def test_every_client_facing_source_is_still_in_the_catalogue(spanish):
    """A file moved or renamed (portal/views.py is to be split) must be
    named in CLIENT_FACING again, or its texts would go unchecked."""
    referenced = {ref for entry in spanish for ref in entry.references}
    assert sorted(CLIENT_FACING - referenced) == []
    assert "Provisional PTSD diagnosis" in {e.msgid for e in spanish}


def test_every_translation_keeps_its_placeholders(catalogue):
    for entry in catalogue:
        if not entry.translated:
            continue
        wanted = set(PLACEHOLDER.findall(entry.msgid))
        for text in entry.msgstr.values():
            assert set(PLACEHOLDER.findall(text)) == wanted, entry.msgid


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs GNU gettext")
def test_the_catalogue_lists_every_text_the_code_marks(
    po, catalogue, tmp_path, settings, monkeypatch
):
    """Extract again into a copy of the package: the same texts as the
    committed catalogue, or it needs `tether makemessages`."""
    copy = tmp_path / "tether"
    ignore = shutil.ignore_patterns("__pycache__", "*.mo", "static")
    shutil.copytree(PACKAGE, copy, ignore=ignore)
    settings.LOCALE_PATHS = []
    monkeypatch.chdir(copy)
    # Django's own command: Tether's works on the installed package.
    from django.core.management.commands.makemessages import Command

    language = po.parts[-3]
    call_command(Command(), locale=[language], verbosity=0)
    fresh = read_po(copy / "locale" / language / "LC_MESSAGES" / "django.po")
    fresh_ids = {(e.context, e.msgid) for e in fresh}
    committed = {(e.context, e.msgid) for e in catalogue}
    new, gone = (
        sorted(fresh_ids - committed, key=str),
        sorted(committed - fresh_ids, key=str),
    )
    assert (new, gone) == ([], []), f"run `tether makemessages -l {language}`"


# ---- every text in the templates goes through gettext --------------------------

NOT_WORDS = frozenset(["Tether", "PCL"])
"""A brand and an instrument's name read the same in every language."""


def untranslated_words(template: str) -> list[str]:
    """Words of a template outside {% translate %} and {% blocktranslate %}:
    text between tags, and the attributes people read (aria-label, alt,
    title, placeholder)."""
    text = re.sub(
        r"\{#.*?#\}|\{% comment %\}.*?\{% endcomment %\}", "", template, flags=re.S
    )
    text = re.sub(
        r"\{% blocktranslate.*?\{% endblocktranslate %\}", "", text, flags=re.S
    )
    text = re.sub(r"\{% translate .*?%\}", "", text, flags=re.S)
    text = re.sub(r"<(script|style)\b.*?</\1>", "", text, flags=re.S)
    attributes = re.findall(r'\b(?:aria-label|alt|title|placeholder)="([^"]*)"', text)
    text = re.sub(r"<!--.*?-->|<[^>]*>", " ", text, flags=re.S)
    shown = " ".join([text, *attributes])
    shown = re.sub(r"\{%.*?%\}|\{\{.*?\}\}", " ", shown, flags=re.S)
    return [w for w in re.findall(r"[^\W\d_]{2,}", shown) if w not in NOT_WORDS]


def test_every_text_in_the_templates_goes_through_gettext():
    templates = sorted(PACKAGE.glob("*/templates/**/*.html"))
    assert len(templates) > 40
    left = {
        str(path.relative_to(PACKAGE)): words
        for path in templates
        if (words := untranslated_words(path.read_text(encoding="utf-8")))
    }
    assert left == {}


def test_the_template_check_finds_plain_text():
    assert untranslated_words('<p title="Hi there">{{ name }} Hello</p>') == [
        "Hello",
        "Hi",
        "there",
    ]
    assert (
        untranslated_words(
            '{% translate "Hello" %} {% blocktranslate %}Hi {{ x }}{% endblocktranslate %}'
        )
        == []
    )
