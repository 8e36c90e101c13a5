"""Demo data: a small, realistic store with a few hundred orders (``flask --app app demo-data``).

Orders are planned as plain values (``app.demo.plans``) and saved here with the ORM; the
benchmark (``bench/pages.py``) bulk-inserts the same plans. A fixed random seed makes every run
plan the same store.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from app.catalog.models import (
    Product,
    ProductVariant,
    Promotion,
    PromotionTarget,
    PromotionType,
    ShippingOption,
    VariantPrice,
)
from app.cli import DEMO_EMAIL
from app.customers.models import Address, Customer
from app.db_types import utcnow
from app.demo.catalogue import (
    CATALOGUE,
    CHANNEL_WEIGHTS,
    CHANNELS,
    DAYS,
    MORE_PRODUCTS,
    PICKUP,
    PROMOTIONS,
    REGIONS,
    RETURN_REASONS,
    SEED,
    ean13,
    variant_sku,
)
from app.demo.plans import (
    ChargePlan,
    CustomerPlan,
    GiftCardPool,
    OrderPlan,
    order_times,
    plan_customers,
    plan_order,
    scenario_deck,
)
from app.extensions import db
from app.fulfillment.models import StockLocation
from app.orders.actions import record_event, refresh_derived, take_display_ids
from app.orders.models import (
    CreditLine,
    GiftCard,
    GiftCardUsage,
    LineItem,
    LineItemAdjustment,
    LineItemTaxLine,
    Order,
    OrderStatus,
    ShippingMethod,
    ShippingMethodAdjustment,
    ShippingMethodTaxLine,
)
from app.payments.models import Capture, Payment, Refund
from app.returns.actions import ReasonValues, save_return_reason
from app.returns.models import ReturnReason
from app.store.models import Region, SalesChannel, TaxRate

BATCH = 100


@dataclass
class Store:
    """The demo's regions and sales channels, by name."""

    regions: dict[str, Region]
    channels: dict[str, SalesChannel]


#: Where the demo store ships from.
STOCK_LOCATIONS = {
    "Main warehouse": "12 Harbour Road, Newark, NJ 07114, US",
    "Berlin shop": "Torstraße 101, 10119 Berlin, DE",
}


def ensure_store() -> Store:
    """The demo regions (with their tax rates) and sales channels, created where missing."""
    regions = {r.name: r for r in db.session.scalars(select(Region))}
    for spec in REGIONS:
        region = regions.get(spec.name)
        if region is None:
            region = Region(
                name=spec.name,
                currency_code=spec.currency,
                is_tax_inclusive=spec.is_tax_inclusive,
                countries=spec.country,
            )
            db.session.add(region)
            regions[spec.name] = region
        existing = {(rate.code, rate.product_type) for rate in region.tax_rates}
        for rate in spec.rates:
            # A reduced rate is an override for each product type it taxes.
            product_types = [t for t, code in spec.reduced.items() if code == rate.code] or [None]
            region.tax_rates.extend(
                TaxRate(code=rate.code, name=rate.name, rate=rate.rate,
                        is_default=rate.is_default, product_type=product_type)
                for product_type in product_types
                if (rate.code, product_type) not in existing
            )  # fmt: skip
    channels = {c.name: c for c in db.session.scalars(select(SalesChannel))}
    for name, description in CHANNELS.items():
        if name not in channels:
            channels[name] = SalesChannel(name=name, description=description)
            db.session.add(channels[name])
    locations = set(db.session.scalars(select(StockLocation.name)))
    db.session.add_all(StockLocation(name=name, address=address)
                       for name, address in STOCK_LOCATIONS.items() if name not in locations)
    db.session.commit()
    return Store(regions, channels)


def ensure_catalogue(store: Store) -> None:
    """The demo products (with variants, barcodes and prices in USD, EUR and JPY), promotions
    and each region's shipping options, created where missing."""
    titles = set(db.session.scalars(select(Product.title)))
    for number, spec in enumerate((*CATALOGUE, *MORE_PRODUCTS), start=1):
        if spec.title in titles:
            continue
        product = Product(
            title=spec.title,
            product_type=spec.category,
            thumbnail=spec.thumbnail,
        )
        for index, name in enumerate(spec.variants or ("",), start=1):
            product.variants.append(
                ProductVariant(
                    title=name,
                    sku=variant_sku(spec.sku, name),
                    barcode=ean13(f"400{number:05d}{index:04d}"),
                    prices=[
                        VariantPrice(currency_code=c, amount=a) for c, a in spec.prices.items()
                    ],
                )
            )
        db.session.add(product)
    now = utcnow()
    codes = set(db.session.scalars(select(Promotion.code)))
    for promo in PROMOTIONS:
        if promo.code in codes:
            continue
        db.session.add(
            Promotion(
                code=promo.code,
                description=promo.description,
                type=PromotionType(promo.type),
                value=promo.value,
                currency_code=promo.currency,
                target=PromotionTarget(promo.target),
                min_subtotal=promo.min_subtotal,
                starts_at=now + timedelta(days=promo.starts_days),
                ends_at=None if promo.ends_days is None else now + timedelta(days=promo.ends_days),
                usage_limit=promo.usage_limit,
                usage_count=promo.usage_count,
                is_active=promo.is_active,
            )
        )
    offered = set(db.session.execute(select(ShippingOption.region_id, ShippingOption.name)))
    for spec in REGIONS:
        region = store.regions[spec.name]
        for name, amount in (*spec.shipping, (PICKUP, Decimal(0))):
            if (region.id, name) not in offered:
                db.session.add(ShippingOption(region=region, name=name, amount=amount))
    db.session.commit()


def ensure_return_reasons() -> None:
    """The demo return reasons, each with its children, created where its code is missing;
    a reason there already is left as staff made it (changed, retired, given other children)."""
    values = set(db.session.scalars(select(ReturnReason.value)))
    for spec in RETURN_REASONS:
        if spec.value in values:
            continue
        parent = save_return_reason(None, ReasonValues(spec.value, spec.label,
                                                       spec.description, None))  # fmt: skip
        for child in spec.children:
            if child.value not in values:
                save_return_reason(None, ReasonValues(child.value, child.label,
                                                      child.description, parent.id))  # fmt: skip
    db.session.commit()


def _customers(plans: list[CustomerPlan], since: datetime) -> dict[str, Customer]:
    """A customer row per plan: the existing one with that email, or a new one."""
    emails = [p.email for p in plans]
    rows = {
        c.email: c for c in db.session.scalars(select(Customer).where(Customer.email.in_(emails)))
    }
    for plan in plans:
        if plan.email not in rows:
            rows[plan.email] = Customer(
                email=plan.email,
                first_name=plan.first_name,
                last_name=plan.last_name,
                phone=plan.phone,
                created_at=since,
            )
            db.session.add(rows[plan.email])
    return rows


def _charge_rows(plan: ChargePlan, tax_line, adjustment) -> dict:
    return {
        "is_tax_inclusive": plan.is_tax_inclusive,
        "tax_lines": [tax_line(code=t.code, name=t.name, rate=t.rate) for t in plan.tax_lines],
        "adjustments": [
            adjustment(code=a.code, amount=a.amount, description=a.description)
            for a in plan.adjustments
        ],
    }


def _save(
    plan: OrderPlan, display_id: int, store: Store, customer: Customer, cards: dict[str, GiftCard]
) -> Order:
    """Add a planned order to the session, with its stored total, statuses and timeline."""
    shipping_address = Address(**asdict(plan.shipping_address))
    billing_address = shipping_address
    if plan.billing_address != plan.shipping_address:
        billing_address = Address(**asdict(plan.billing_address))
    for card, _ in plan.gift_card_uses:
        if card.code not in cards:
            cards[card.code] = GiftCard(
                code=card.code,
                currency_code=card.currency,
                value=card.value,
                balance=card.value,
                created_at=card.created_at,
            )
        cards[card.code].balance = card.balance
    order = Order(
        display_id=display_id,
        status=OrderStatus(plan.status),
        email=plan.customer.email,
        customer=customer,
        region=store.regions[plan.region],
        currency_code=plan.currency,
        sales_channel=store.channels[plan.channel],
        shipping_address=shipping_address,
        billing_address=billing_address,
        created_at=plan.created_at,
        updated_at=plan.updated_at,
        canceled_at=plan.canceled_at,
        items=[
            LineItem(
                title=i.title,
                subtitle=i.subtitle,
                sku=i.sku,
                thumbnail=i.thumbnail,
                unit_price=i.unit_price,
                quantity=i.quantity,
                fulfilled_quantity=i.fulfilled,
                shipped_quantity=i.shipped,
                delivered_quantity=i.delivered,
                **_charge_rows(i, LineItemTaxLine, LineItemAdjustment),
            )
            for i in plan.items
        ],
        shipping_methods=[
            ShippingMethod(
                name=s.title,
                amount=s.unit_price,
                **_charge_rows(s, ShippingMethodTaxLine, ShippingMethodAdjustment),
            )
            for s in plan.shipping_methods
        ],
        gift_card_uses=[
            GiftCardUsage(gift_card=cards[card.code], amount=amount)
            for card, amount in plan.gift_card_uses
        ],
        credit_lines=[
            CreditLine(amount=amount, reference=reference, created_at=plan.created_at)
            for amount, reference in plan.credit_lines
        ],
        payments=[
            Payment(
                currency_code=plan.currency,
                amount=p.amount,
                created_at=p.created_at,
                canceled_at=p.canceled_at,
                captures=[Capture(amount=amount, created_at=at) for amount, at in p.captures],
                refunds=[
                    Refund(
                        amount=r.amount,
                        reason=r.reason,
                        note=r.note,
                        created_by=DEMO_EMAIL,
                        created_at=r.at,
                    )
                    for r in p.refunds
                ],
            )
            for p in plan.payments
        ],
        events=[],
    )
    db.session.add(order)
    refresh_derived(order)
    for event in plan.events:
        # The store's past: its customers were emailed back then, not now.
        record_event(
            order, event.event_type, event.actor, event.message, event.data, published=False
        ).created_at = event.at
    return order


def load_demo_data(orders: int = 400, progress: Callable[[str], object] = print) -> None:
    """Create the demo store and ``orders`` orders over the last 90 days, committing every
    hundred orders."""
    rng = random.Random(SEED)
    now = utcnow()
    store = ensure_store()
    ensure_catalogue(store)
    ensure_return_reasons()
    customer_plans = plan_customers(rng, max(12, orders * 3 // 4))
    customers = _customers(customer_plans, now - timedelta(days=DAYS + 30))
    gift_cards = GiftCardPool(rng, set(db.session.scalars(select(GiftCard.code))))
    card_rows: dict[str, GiftCard] = {}
    times = order_times(rng, orders, now)
    deck = scenario_deck(rng, orders)
    channels = list(CHANNEL_WEIGHTS)
    for start in range(0, orders, BATCH):
        batch = range(start, min(start + BATCH, orders))
        for display_id, index in zip(take_display_ids(len(batch)), batch, strict=True):
            customer = rng.choice(customer_plans)
            channel = rng.choices(channels, weights=list(CHANNEL_WEIGHTS.values()))[0]
            plan = plan_order(
                rng, customer, channel, deck[index], times[index], now, gift_cards=gift_cards
            )
            _save(plan, display_id, store, customers[customer.email], card_rows)
        db.session.commit()
        progress(f"Created {batch.stop} of {orders} orders")
