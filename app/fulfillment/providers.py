"""Fulfillment providers: who packs and carries the parcel.

Like payment providers, a small interface the actions call, so a carrier integration is added
by registering it here. The built-in ``manual`` provider is the merchant's own staff: nothing
outside the system is asked.
"""

from __future__ import annotations

from typing import Protocol


class FulfillmentProviderError(Exception):
    """The provider refused or failed; the message is safe to show staff."""


class FulfillmentProvider(Protocol):
    id: str
    name: str

    def create_fulfillment(self, fulfillment_id: int, items: dict[int, int]) -> None: ...

    def create_shipment(self, fulfillment_id: int, tracking_numbers: list[str]) -> None: ...

    def cancel_fulfillment(self, fulfillment_id: int) -> None: ...


class ManualFulfillmentProvider:
    """Staff pack and hand the parcel to a carrier themselves."""

    id = "manual"
    name = "Manual"

    def create_fulfillment(self, fulfillment_id: int, items: dict[int, int]) -> None:
        return None

    def create_shipment(self, fulfillment_id: int, tracking_numbers: list[str]) -> None:
        return None

    def cancel_fulfillment(self, fulfillment_id: int) -> None:
        return None


PROVIDERS: dict[str, FulfillmentProvider] = {
    ManualFulfillmentProvider.id: ManualFulfillmentProvider()
}


def provider(provider_id: str) -> FulfillmentProvider:
    """The provider registered under ``provider_id``."""
    try:
        return PROVIDERS[provider_id]
    except KeyError:
        raise FulfillmentProviderError(f"No fulfillment provider called {provider_id!r}.") from None
