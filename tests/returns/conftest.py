"""Fixtures of the return tests: an order shipped whole, with the reasons staff pick from."""

from tests.returns.test_return_flow import shipped  # noqa: F401  (a fixture, found by its name)
