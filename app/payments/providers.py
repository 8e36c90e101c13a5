"""Payment providers: where a payment's money really moves.

A provider is a small interface (authorize, capture, refund, cancel); actions call it and
record what it answered, so a second provider is added by registering it here, without
touching the actions. The built-in ``manual`` provider needs no outside system: staff took the
money at the counter or will collect it later.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol


class PaymentProviderError(Exception):
    """The provider refused or failed; the message is safe to show staff."""


@dataclass(frozen=True)
class ProviderAnswer:
    """What a provider said: its own reference for the operation, if it keeps one."""

    reference: str = ""


class PaymentProvider(Protocol):
    id: str
    name: str

    def authorize(self, amount: Decimal, currency: str) -> ProviderAnswer: ...

    def capture(self, amount: Decimal, currency: str) -> ProviderAnswer: ...

    def refund(self, amount: Decimal, currency: str) -> ProviderAnswer: ...

    def cancel(self) -> ProviderAnswer: ...


class ManualProvider:
    """Money handled outside the system (cash, card terminal, bank transfer): every
    operation succeeds, and staff are the record."""

    id = "manual"
    name = "Manual"

    def authorize(self, amount: Decimal, currency: str) -> ProviderAnswer:
        return ProviderAnswer()

    def capture(self, amount: Decimal, currency: str) -> ProviderAnswer:
        return ProviderAnswer()

    def refund(self, amount: Decimal, currency: str) -> ProviderAnswer:
        return ProviderAnswer()

    def cancel(self) -> ProviderAnswer:
        return ProviderAnswer()


PROVIDERS: dict[str, PaymentProvider] = {ManualProvider.id: ManualProvider()}


def provider(provider_id: str) -> PaymentProvider:
    """The provider registered under ``provider_id``."""
    try:
        return PROVIDERS[provider_id]
    except KeyError:
        raise PaymentProviderError(f"No payment provider called {provider_id!r}.") from None
