"""Finding returns: the list's status filter, its search and its keyset (cursor) pages, on
the index of ``order_return(status, created_at, id)``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import Select, false, select
from sqlalchemy.orm import contains_eager

from app.orders.models import Order
from app.orders.queries import keyset_page, search_text
from app.returns.models import Return, ReturnStatus

RETURNS_CURSOR = "returns.list-cursor"


@dataclass(frozen=True)
class ReturnFilters:
    """What staff narrowed the list to; empty fields filter nothing."""

    status: str = ""
    #: An order number (``1001`` or ``#1001``) or a customer's email (or its beginning).
    q: str = ""

    def as_args(self) -> dict[str, str]:
        """The filters as URL query arguments, empty ones left out (for links and cursors)."""
        return {name: value for name, value in (("status", self.status), ("q", self.q))
                if value}  # fmt: skip

    @property
    def is_filtered(self) -> bool:
        return bool(self.as_args())


def parse_return_filters(args: Mapping[str, str]) -> tuple[ReturnFilters, dict[str, str]]:
    """Filters from query arguments, and an error message per argument that made no sense
    (that argument is then ignored)."""
    errors = {}
    status = (args.get("status") or "").strip()
    if status and status not in {s.value for s in ReturnStatus}:
        errors["status"] = "must be one of: " + ", ".join(s.value for s in ReturnStatus)
        status = ""
    return ReturnFilters(status, search_text((args.get("q") or "").strip())), errors


def _filtered(filters: ReturnFilters) -> Select:
    stmt = select(Return).join(Order, Order.id == Return.order_id).options(
        contains_eager(Return.order))  # fmt: skip
    if filters.status:
        stmt = stmt.where(Return.status == ReturnStatus(filters.status))
    if filters.q:
        number = filters.q.removeprefix("#")
        if number.isascii() and number.isdigit():
            # More digits than any order number has: nothing, rather than an integer overflow.
            found = Order.display_id == int(number) if len(number) < 10 else false()
            stmt = stmt.where(found)
        else:
            stmt = stmt.where(Order.email.startswith(filters.q.lower(), autoescape=True))
    return stmt


@dataclass(frozen=True)
class ReturnPage:
    """One page of the list, newest first, with cursors to the pages beside it."""

    returns: list[Return]
    next_cursor: str | None
    prev_cursor: str | None


def find_returns(filters: ReturnFilters, cursor: str | None, limit: int = 50) -> ReturnPage:
    """A page of the returns matching ``filters``, newest first. Raises ``CursorError`` for
    a cursor that this list did not hand out."""
    rows, next_cursor, prev_cursor = keyset_page(
        _filtered(filters), Return.created_at, Return.id, descending=True, cursor=cursor,
        limit=limit, salt=RETURNS_CURSOR,
    )  # fmt: skip
    return ReturnPage(rows, next_cursor, prev_cursor)
