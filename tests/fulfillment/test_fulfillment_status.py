"""The order's fulfillment status, derived from its lines' quantities: one row per rule."""

from __future__ import annotations

import pytest

from app.fulfillment.calculations import LineQuantities, fulfillment_status

Q = LineQuantities


@pytest.mark.parametrize(
    ("lines", "status"),
    [
        pytest.param([], "not_fulfilled", id="no lines"),
        pytest.param([Q(0)], "not_fulfilled", id="nothing ordered"),
        pytest.param([Q(3)], "not_fulfilled", id="nothing fulfilled"),
        pytest.param([Q(3), Q(1)], "not_fulfilled", id="two lines, nothing fulfilled"),
        pytest.param([Q(3, fulfilled=1)], "partially_fulfilled", id="one unit of three"),
        pytest.param(
            [Q(2, fulfilled=2), Q(1)], "partially_fulfilled", id="one line of two fulfilled"
        ),
        pytest.param([Q(3, fulfilled=3)], "fulfilled", id="every unit fulfilled"),
        pytest.param(
            [Q(2, fulfilled=2), Q(1, fulfilled=1)], "fulfilled", id="every line fulfilled"
        ),
        pytest.param(
            [Q(2, fulfilled=2, shipped=1)], "partially_shipped", id="one unit of two shipped"
        ),
        pytest.param(
            [Q(2, fulfilled=1, shipped=1), Q(1)],
            "partially_shipped",
            id="shipped some, fulfilled not all",
        ),
        pytest.param([Q(2, fulfilled=2, shipped=2)], "shipped", id="every unit shipped"),
        pytest.param(
            [Q(2, fulfilled=2, shipped=2), Q(1, fulfilled=1, shipped=1)],
            "shipped",
            id="every line shipped",
        ),
        pytest.param(
            [Q(2, fulfilled=2, shipped=2, delivered=1)],
            "partially_delivered",
            id="one unit of two delivered",
        ),
        pytest.param(
            [Q(2, fulfilled=2, shipped=2, delivered=2)], "delivered", id="every unit delivered"
        ),
        pytest.param(
            [Q(2, fulfilled=2, shipped=2, delivered=2, returned=1)],
            "partially_returned",
            id="one unit of two returned",
        ),
        pytest.param(
            [Q(2, fulfilled=2, shipped=2, delivered=2, returned=2)],
            "returned",
            id="every unit returned",
        ),
        pytest.param(
            [Q(1, fulfilled=1, shipped=1, delivered=1, returned=1), Q(1)],
            "partially_returned",
            id="a returned line beside an unfulfilled one",
        ),
    ],
)
def test_fulfillment_status_is_the_furthest_stage_reached(lines, status):
    assert fulfillment_status(lines) == status
