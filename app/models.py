"""Every model module, imported once so relationships by name resolve and Alembic sees all
tables."""

from app.api.models import IdempotencyKey
from app.auth.models import ApiToken, LoginAttempt, StaffLogin, User
from app.catalog.models import Product, ProductVariant, Promotion, ShippingOption, VariantPrice
from app.changes.models import OrderChange, OrderChangeAction, OrderChangeLink, OrderVersion
from app.claims.models import Claim, ClaimItem
from app.customers.models import Address, Customer
from app.events.models import OrderEvent
from app.events.outbox import OutboxEvent
from app.exchanges.models import Exchange
from app.fulfillment.models import Fulfillment, FulfillmentItem, StockLocation
from app.inventory.models import InventoryAdjustment, InventoryLevel, Reservation
from app.orders.models import (
    Counter,
    CreditLine,
    GiftCard,
    GiftCardUsage,
    LineItem,
    LineItemAdjustment,
    LineItemTaxLine,
    Order,
    OrderPromotion,
    ShippingMethod,
    ShippingMethodAdjustment,
    ShippingMethodTaxLine,
)
from app.payments.models import Capture, Payment, Refund
from app.returns.models import Return, ReturnItem, ReturnReason
from app.store.models import Region, SalesChannel, TaxRate

__all__ = [
    "Address", "ApiToken", "Capture", "Counter", "CreditLine", "Customer", "GiftCard",
    "GiftCardUsage", "LineItem", "LineItemAdjustment", "LineItemTaxLine", "Order", "OrderEvent",
    "OrderPromotion", "OutboxEvent",
    "Fulfillment", "FulfillmentItem", "StockLocation", "InventoryAdjustment", "InventoryLevel",
    "Reservation",
    "Payment", "Product", "ProductVariant", "Promotion", "Refund", "Region", "SalesChannel",
    "ShippingMethod", "ShippingMethodAdjustment", "ShippingMethodTaxLine", "ShippingOption",
    "TaxRate", "User", "VariantPrice",
    "IdempotencyKey", "LoginAttempt", "StaffLogin",
    "OrderChange", "OrderChangeAction", "OrderChangeLink", "OrderVersion",
    "ReturnReason", "Return", "ReturnItem", "Exchange", "Claim", "ClaimItem",
]  # fmt: skip
