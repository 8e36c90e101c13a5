"""Fixtures of the exchange tests: the order the return tests ship whole, and a mug in the
catalogue to exchange for."""

from tests.exchanges.test_exchange_flow import mug  # noqa: F401  (a fixture, found by its name)
from tests.returns.test_return_flow import shipped  # noqa: F401  (a fixture, found by its name)
