"""Fixtures of the order-change tests: the builder tests' store (regions with tax rates, a
catalogue, shipping options)."""

from tests.draft_orders.conftest import shop  # noqa: F401  (a fixture, found by its name)
