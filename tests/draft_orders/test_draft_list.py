"""The draft list: its search, its cursor pages, and what it answers to links it never gave."""

import re

from app.orders.models import OrderStatus
from tests.factories import make_order


def shown_drafts(response) -> list[int]:
    """The draft numbers in the list, top to bottom."""
    return [int(n) for n in re.findall(r">#(\d+)</a></td>", response.get_data(as_text=True))]


def make_draft(**values):
    return make_order(status=OrderStatus.DRAFT, **values)


def test_a_search_with_a_nul_character_is_refused_with_a_message(staff_client):
    draft = make_draft()
    response = staff_client.get("/draft-orders?q=ada%00")
    assert response.status_code == 400
    assert "must not contain a NUL character" in response.get_data(as_text=True)
    assert shown_drafts(response) == [draft.display_id]


def test_a_draft_id_beyond_any_draft_is_not_found(staff_client):
    assert staff_client.get(f"/draft-orders/{10**22}").status_code == 404
