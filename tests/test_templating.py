"""The template filters show what Babel would: dates and status badges."""

from datetime import UTC, datetime

import pytest
from babel.core import Locale
from babel.dates import parse_pattern
from hypothesis import given
from hypothesis import strategies as st

from app.templating import DATETIME_PATTERNS, LOCALE, badge, format_when


@pytest.mark.parametrize("name", sorted(DATETIME_PATTERNS))
@given(moment=st.datetimes(min_value=datetime(1970, 1, 1), max_value=datetime(2200, 1, 1),
                           timezones=st.just(UTC)))  # fmt: skip
def test_dates_read_exactly_as_babel_formats_them(name, moment):
    babel = parse_pattern(DATETIME_PATTERNS[name]).apply(moment, Locale.parse(LOCALE))
    assert format_when(moment, name) == babel


def test_a_field_without_a_shortcut_is_still_formatted_by_babel(monkeypatch):
    monkeypatch.setitem(DATETIME_PATTERNS, "weekday", "EEEE d MMMM")
    assert format_when(datetime(2026, 11, 22, tzinfo=UTC), "weekday") == "Sunday 22 November"


def test_a_badge_names_the_status_in_words_and_carries_its_colour_class():
    assert str(badge("partially_refunded")) == (
        '<span class="badge badge-partially_refunded">partially refunded</span>'
    )
