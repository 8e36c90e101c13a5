"""The draft list: its search, its cursor pages, and what it answers to links it never gave."""

import re
from datetime import UTC, datetime, timedelta

import pytest

from app.extensions import db
from app.orders.models import OrderStatus
from tests.cursors import FORGED_CURSORS
from tests.factories import make_order


def shown_drafts(response) -> list[int]:
    """The draft numbers in the list, top to bottom."""
    return [int(n) for n in re.findall(r">#(\d+)</a></td>", response.get_data(as_text=True))]


def make_draft(**values):
    return make_order(status=OrderStatus.DRAFT, **values)


def test_cursor_pages_walk_every_open_draft_once_newest_first(app, staff_client):
    app.config["ORDERS_PAGE_SIZE"] = 2
    start = datetime(2026, 2, 1, tzinfo=UTC)
    drafts = [make_draft(created_at=start + timedelta(hours=i), commit=False) for i in range(5)]
    db.session.commit()
    pages, url = [], "/draft-orders"
    while url:
        response = staff_client.get(url)
        assert response.status_code == 200
        pages.append(shown_drafts(response))
        found = re.search(r'<a rel="next" href="([^"]+)"', response.get_data(as_text=True))
        url = found.group(1).replace("&amp;", "&") if found else None
    assert pages == [[d.display_id for d in reversed(drafts)][i:i + 2] for i in (0, 2, 4)]
    app.config["ORDERS_PAGE_SIZE"] = 50


@pytest.mark.parametrize("cursor", FORGED_CURSORS)
def test_a_forged_cursor_is_refused_and_the_first_page_shown(staff_client, cursor):
    draft = make_draft()
    response = staff_client.get("/draft-orders", query_string={"cursor": cursor})
    assert response.status_code == 400
    assert ("This page link is no longer valid; start again from the first page."
            in response.get_data(as_text=True))  # fmt: skip
    assert shown_drafts(response) == [draft.display_id]


def test_search_by_full_name_matches_every_word(staff_client):
    smith = make_draft(email="js@example.com", customer=("John", "Smith"))
    williams = make_draft(email="jw@example.com", customer=("John", "Williams"))
    assert shown_drafts(staff_client.get("/draft-orders?q=williams+john")) == [
        williams.display_id
    ]
    assert shown_drafts(staff_client.get("/draft-orders?q=john+sm")) == [smith.display_id]


def test_a_draft_id_beyond_any_draft_is_not_found(staff_client):
    assert staff_client.get(f"/draft-orders/{10**22}").status_code == 404
