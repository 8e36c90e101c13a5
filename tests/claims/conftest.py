"""Fixtures of the claim tests: the order the return tests ship whole."""

from tests.returns.test_return_flow import shipped  # noqa: F401  (a fixture, found by its name)
