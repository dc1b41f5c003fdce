"""What a person reads on a page, for assertions that something is *not* shown.

Raw HTML also holds ids, CSRF tokens, CSP nonces and link tokens, in which a
short string such as "13" or "988" turns up by chance, so `"13" not in html`
fails now and then for no reason. `visible_text` keeps what a browser shows
or reads out: text outside scripts, styles, templates and `hidden` elements,
the labels people read in attributes (alt, title, aria-label, placeholder),
the text of buttons and the values shown in text fields."""

from __future__ import annotations

import re
from html.parser import HTMLParser

UNSHOWN = {"script", "style", "template"}
READ_ATTRIBUTES = ("alt", "title", "aria-label", "placeholder")
SHOWN_VALUES = {"submit", "button", "reset", "text", "email", "tel", "search", "url"}
VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden_tag: str | None = None
        self.depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.hidden_tag is not None:
            if tag == self.hidden_tag and tag not in VOID:
                self.depth += 1
            return
        attributes = dict(attrs)
        if tag in UNSHOWN or "hidden" in attributes:
            if tag not in VOID:
                self.hidden_tag, self.depth = tag, 1
            return
        self._read(tag, attributes)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if self.hidden_tag is None and "hidden" not in attributes:
            self._read(tag, attributes)

    def handle_endtag(self, tag: str) -> None:
        if self.hidden_tag == tag:
            self.depth -= 1
            if self.depth == 0:
                self.hidden_tag = None

    def handle_data(self, data: str) -> None:
        if self.hidden_tag is None:
            self.parts.append(data)

    def _read(self, tag: str, attributes: dict[str, str | None]) -> None:
        self.parts.extend(
            value for name in READ_ATTRIBUTES if (value := attributes.get(name))
        )
        shown = (attributes.get("type") or "text") in SHOWN_VALUES
        if tag == "input" and shown and attributes.get("value"):
            self.parts.append(str(attributes["value"]))


def visible_text(page: object) -> str:
    """The text a person reads on `page` (a test client response, bytes or
    HTML text), its whitespace collapsed to single spaces."""
    content = getattr(page, "content", page)
    html = content.decode() if isinstance(content, bytes) else str(content)
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return re.sub(r"\s+", " ", " ".join(reader.parts)).strip()
