"""Every list is paged by an opaque cursor, in the order records were made
(`next`/`previous` are the addresses of the neighbouring pages)."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from ninja.errors import ValidationError
from ninja.pagination import CursorPagination, paginate

from .schemas import LARGEST_ID

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


class NoSuchPage(Http404):
    def __init__(self) -> None:
        super().__init__(
            "No such page: the cursor is not one this API gave out, or it was changed."
        )


class Paging(CursorPagination):
    """Ninja's cursor pages, where a cursor that is not one the API made is a
    page that does not exist (404) — it names a position as an id names a
    record — never a server error on a position that is not an id."""

    class Cursor(CursorPagination.Cursor):
        @classmethod
        def from_encoded_param(
            cls, encoded_param: str | None, context: Any = None
        ) -> CursorPagination.Cursor:
            try:
                cursor = super().from_encoded_param(encoded_param, context)
            except ValidationError:
                raise NoSuchPage() from None
            position = cursor.p
            if position is not None and not (
                position.isascii()
                and position.isdigit()
                and 0 <= int(position) <= LARGEST_ID
            ):
                raise NoSuchPage()
            return cursor


def paged() -> Any:
    return paginate(
        Paging, ordering=("pk",), page_size=PAGE_SIZE, max_page_size=MAX_PAGE_SIZE
    )
