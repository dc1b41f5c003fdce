"""Every list is paged by an opaque cursor, in the order records were made
(`next`/`previous` are the addresses of the neighbouring pages)."""

from __future__ import annotations

from ninja.pagination import CursorPagination, paginate

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


def paged() -> object:
    return paginate(
        CursorPagination,
        ordering=("pk",),
        page_size=PAGE_SIZE,
        max_page_size=MAX_PAGE_SIZE,
    )
