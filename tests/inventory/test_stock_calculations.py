"""The stock rules over plain counts: what a channel can sell, why an order cannot be held,
and where its units are held."""

import pytest

from app.inventory.calculations import Stock, channel_stock, holds, shortage


@pytest.mark.parametrize(("levels", "expected"), [
    ([], Stock(available=0, stocked_here=False)),
    ([(5, 3), (2, 0)], Stock(available=4, stocked_here=True)),
    ([(4, 4)], Stock(available=0, stocked_here=True)),
    # a location a backorder took below zero has nothing to give, and takes nothing away
    ([(3, 5), (2, 0)], Stock(available=2, stocked_here=True)),
])  # fmt: skip
def test_what_a_channel_can_sell_over_its_locations(levels, expected):
    assert channel_stock(levels) == expected


@pytest.mark.parametrize(("ordered", "stock", "backorder", "expected"), [
    (9, None, False, None),  # not tracked
    (1, Stock(0, False), True, "Mug (MUG-1) is not stocked where this sales channel ships from."),
    (4, Stock(4, True), False, None),
    (5, Stock(4, True), False, "Mug (MUG-1): 4 available, 5 ordered."),
    (5, Stock(4, True), True, None),
])  # fmt: skip
def test_why_units_cannot_be_held(ordered, stock, backorder, expected):
    assert shortage("Mug", "MUG-1", ordered, stock, backorder) == expected


@pytest.mark.parametrize(("ordered", "available", "expected"), [
    (2, [3, 5], [0, 2]),  # whole at the location with the most
    (3, [3, 3], [3, 0]),  # on a tie, the first
    (7, [3, 5], [2, 5]),  # split only when none has it all
    (9, [3, 5], [3, 6]),  # a backorder: the rest where most was
    (2, [-2, 1], [0, 2]),  # a short location gives nothing
    (4, [0], [4]),
])  # fmt: skip
def test_where_units_are_held(ordered, available, expected):
    assert holds(ordered, available) == expected
    assert sum(expected) == ordered
