"""The command line's one progress bar (issue #15 item 7; README, "The `tether`
command"): drawn on stderr, only when stderr is a terminal and the command
was not given `--quiet`, so a pipe, a log file or a cron job sees nothing of
it. No dependency: a line redrawn with a carriage return.

    with progress_bar("simulating cases", total=200, quiet=options.quiet) as bar:
        for case in cases:
            ...
            bar.advance()

Work that runs elsewhere reports through a plain callback (`bar.update` takes
done, total and what is next), so the pure packages never import this."""

from __future__ import annotations

import shutil
import sys
import time
from collections.abc import Iterable, Iterator
from types import TracebackType
from typing import TextIO, TypeVar

T = TypeVar("T")

WIDTH = 24
"""Characters of the bar itself."""
EVERY = 0.1
"""Seconds between two redraws (the last one is always drawn)."""


class ProgressBar:
    """A bar for `total` steps named `label`; inactive (it writes nothing)
    unless `stream` is a terminal and not `quiet`."""

    def __init__(
        self,
        label: str,
        total: int,
        *,
        quiet: bool = False,
        stream: TextIO | None = None,
    ) -> None:
        self.label = label
        self.total = max(total, 0)
        self.done = 0
        self.note = ""
        self.stream = sys.stderr if stream is None else stream
        self.active = not quiet and _is_terminal(self.stream)
        self._drawn_at = -EVERY
        self._width = 0

    def advance(self, steps: int = 1, note: str = "") -> None:
        self.update(self.done + steps, note=note)

    def update(self, done: int, total: int | None = None, note: str = "") -> None:
        """Set how far the work is (and its total, where it became known)."""
        if total is not None:
            self.total = max(total, 0)
        self.done = max(0, min(done, self.total) if self.total else done)
        self.note = note
        now = time.monotonic()
        if self.active and (now - self._drawn_at >= EVERY or self.done >= self.total):
            self._draw()
            self._drawn_at = now

    def close(self) -> None:
        """End the bar's line, so what is printed next starts on its own."""
        if self.active and self._width:
            self._draw()
            self.stream.write("\n")
            self.stream.flush()
            self._width = 0

    def __enter__(self) -> ProgressBar:
        if self.active:
            self._draw()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def line(self) -> str:
        """The bar as drawn: `label [#####-----] 3/10 note`."""
        share = self.done / self.total if self.total else 0.0
        filled = round(WIDTH * share)
        count = f"{self.done}/{self.total}" if self.total else str(self.done)
        note = f" {self.note}" if self.note else ""
        return f"{self.label} [{'#' * filled}{'-' * (WIDTH - filled)}] {count}{note}"

    def _draw(self) -> None:
        columns = shutil.get_terminal_size((80, 24)).columns
        text = self.line()[: max(columns - 1, 10)]
        self.stream.write("\r" + text.ljust(self._width))
        self.stream.flush()
        self._width = len(text)


def progress_bar(
    label: str, total: int, *, quiet: bool = False, stream: TextIO | None = None
) -> ProgressBar:
    return ProgressBar(label, total, quiet=quiet, stream=stream)


def track(
    items: Iterable[T],
    label: str,
    total: int,
    *,
    quiet: bool = False,
    stream: TextIO | None = None,
) -> Iterator[T]:
    """Each of `items`, advancing a bar of `total` steps after each one."""
    with progress_bar(label, total, quiet=quiet, stream=stream) as bar:
        for item in items:
            yield item
            bar.advance()


def _is_terminal(stream: TextIO) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # closed or not a file
        return False
