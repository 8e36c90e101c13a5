"""Orders planned as plain values, so that the demo (through the ORM) and the benchmark (through
bulk inserts) save the same kind of store."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from app.cli import DEMO_EMAIL
from app.demo.catalogue import (
    CAPTURED_SHARE,
    CATALOGUE,
    CREDIT_REASONS,
    DAYS,
    GIFT_CARD_LETTERS,
    NOTES,
    PARTIAL_REFUND_SHARES,
    PARTIAL_REFUNDS,
    POINT_OF_SALE,
    REGION_SPECS,
    REGIONS,
    SCENARIOS,
    RegionSpec,
    Scenario,
    variant_sku,
)
from app.fulfillment.calculations import LineQuantities, fulfillment_status
from app.money import format_money, round_money, to_string
from app.orders.calculations import Charge, GiftCardUse, OrderTotals, charge_totals, order_totals
from app.payments.calculations import PaymentFigures, payment_status


@dataclass(frozen=True)
class AddressPlan:
    first_name: str
    last_name: str
    company: str
    address_1: str
    address_2: str
    city: str
    province: str
    postal_code: str
    country_code: str
    phone: str


@dataclass(frozen=True)
class CustomerPlan:
    region: str
    email: str
    first_name: str
    last_name: str
    phone: str
    address: AddressPlan


@dataclass(frozen=True)
class TaxLinePlan:
    code: str
    name: str
    rate: Decimal


@dataclass(frozen=True)
class AdjustmentPlan:
    code: str
    amount: Decimal
    description: str


@dataclass
class ChargePlan:
    """A line item (with ``title`` and friends) or a shipping method (``quantity`` 1)."""

    title: str
    unit_price: Decimal
    is_tax_inclusive: bool
    tax_lines: tuple[TaxLinePlan, ...]
    quantity: int = 1
    subtitle: str = ""
    sku: str = ""
    thumbnail: str = ""
    adjustments: list[AdjustmentPlan] = field(default_factory=list)
    fulfilled: int = 0
    shipped: int = 0
    delivered: int = 0

    @property
    def charge(self) -> Charge:
        return Charge(
            unit_price=self.unit_price,
            quantity=self.quantity,
            is_tax_inclusive=self.is_tax_inclusive,
            tax_rates=tuple(t.rate for t in self.tax_lines),
            adjustments=tuple(a.amount for a in self.adjustments),
        )


@dataclass(frozen=True)
class RefundPlan:
    amount: Decimal
    reason: str
    note: str
    at: datetime


@dataclass
class PaymentPlan:
    amount: Decimal
    created_at: datetime
    canceled_at: datetime | None = None
    captures: list[tuple[Decimal, datetime]] = field(default_factory=list)
    refunds: list[RefundPlan] = field(default_factory=list)

    @property
    def figures(self) -> PaymentFigures:
        return PaymentFigures(
            authorized=self.amount,
            captured=sum((amount for amount, _ in self.captures), Decimal(0)),
            refunded=sum((r.amount for r in self.refunds), Decimal(0)),
            canceled=self.canceled_at is not None,
        )


@dataclass(frozen=True)
class EventPlan:
    event_type: str
    actor: str
    message: str
    data: dict | None
    at: datetime


@dataclass
class GiftCardPlan:
    code: str
    currency: str
    value: Decimal
    balance: Decimal
    created_at: datetime


@dataclass
class OrderPlan:
    """Everything about one order, ready to be saved."""

    status: str
    region: str
    currency: str
    channel: str
    customer: CustomerPlan
    shipping_address: AddressPlan
    billing_address: AddressPlan
    created_at: datetime
    items: list[ChargePlan]
    shipping_methods: list[ChargePlan]
    gift_card_uses: list[tuple[GiftCardPlan, Decimal]] = field(default_factory=list)
    credit_lines: list[tuple[Decimal, str]] = field(default_factory=list)
    payments: list[PaymentPlan] = field(default_factory=list)
    events: list[EventPlan] = field(default_factory=list)
    canceled_at: datetime | None = None

    @property
    def updated_at(self) -> datetime:
        return max(e.at for e in self.events)

    @property
    def totals(self) -> OrderTotals:
        return order_totals(
            self.currency,
            items=[i.charge for i in self.items],
            shipping_methods=[s.charge for s in self.shipping_methods],
            gift_cards=[GiftCardUse(amount) for _, amount in self.gift_card_uses],
            credit_lines=[amount for amount, _ in self.credit_lines],
            captured=[a for p in self.payments for a, _ in p.captures],
            refunded=[r.amount for p in self.payments for r in p.refunds],
            authorized=[p.amount for p in self.payments if p.canceled_at is None],
        )

    @property
    def payment_status(self) -> str:
        return payment_status(self.totals.total, [p.figures for p in self.payments])

    @property
    def fulfillment_status(self) -> str:
        return fulfillment_status(
            [LineQuantities(i.quantity, i.fulfilled, i.shipped, i.delivered) for i in self.items]
        )


class GiftCardPool:
    """Gift cards sold before the orders that spend them; orders take from their balances."""

    def __init__(self, rng: random.Random, taken_codes: set[str]):
        self.rng = rng
        self.taken = set(taken_codes)
        self.cards: list[GiftCardPlan] = []

    def spend(
        self, spec: RegionSpec, at_most: Decimal, at: datetime
    ) -> tuple[GiftCardPlan, Decimal] | None:
        """A card of the region's currency and what it pays, up to ``at_most``."""
        usable = [c for c in self.cards if c.currency == spec.currency and c.balance > 0]
        if not usable or self.rng.random() < 0.5:
            value = self.rng.choice(spec.gift_card_values)
            card = GiftCardPlan(
                self._new_code(),
                spec.currency,
                value,
                value,
                at - timedelta(days=self.rng.randint(1, 60)),
            )
            self.cards.append(card)
        else:
            card = self.rng.choice(usable)
        amount = min(card.balance, at_most)
        if amount <= 0:
            return None
        card.balance -= amount
        return card, amount

    def _new_code(self) -> str:
        while True:
            chars = "".join(self.rng.choice(GIFT_CARD_LETTERS) for _ in range(8))
            code = f"GC-{chars[:4]}-{chars[4:]}"
            if code not in self.taken:
                self.taken.add(code)
                return code


def _ascii(name: str) -> str:
    return name.lower().translate(str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"}))


def _address(
    rng: random.Random, spec: RegionSpec, first: str, last: str, phone: str
) -> AddressPlan:
    city = rng.choice(spec.cities)
    n, m, k = rng.randint(1, 240), rng.randint(1, 9999), rng.randint(1, 9)
    apartment = f"Apt {rng.randint(1, 30)}{rng.choice('ABCD')}" if spec.country == "us" else ""
    return AddressPlan(
        first_name=first,
        last_name=last,
        company=rng.choice(("", "", "", "", "Studio Nord", "Bluebird Café", "Kaze Design")),
        address_1=spec.street_format.format(
            street=rng.choice(city.streets or spec.streets), n=n, m=m % 30 + 1, k=k
        ),
        address_2=apartment if rng.random() < 0.3 else "",
        city=city.name,
        province=city.province,
        postal_code=spec.postal_format.format(prefix=city.postal_prefix, n=n % 100, m=m),
        country_code=spec.country,
        phone=phone,
    )


def plan_customers(rng: random.Random, count: int) -> list[CustomerPlan]:
    """``count`` customers spread over the regions, with unique emails."""
    specs = rng.choices(REGIONS, weights=[s.weight for s in REGIONS], k=count)
    customers = []
    for number, spec in enumerate(specs, start=1):
        first, last = rng.choice(spec.first_names), rng.choice(spec.last_names)
        domain = rng.choice(("example.com", "example.net", "example.org"))
        phone = spec.phone_format.format(
            n=rng.randint(0, 9999), m=rng.randint(0, 9999), k=rng.randint(0, 9)
        )
        customers.append(
            CustomerPlan(
                region=spec.name,
                email=f"{_ascii(first)}.{_ascii(last)}{number}@{domain}",
                first_name=first,
                last_name=last,
                phone=phone,
                address=_address(rng, spec, first, last, phone),
            )
        )
    return customers


def scenario_deck(rng: random.Random, count: int) -> list[Scenario]:
    """``count`` scenarios in random order, spread by weight; each at least once when there
    are enough orders, so that even a small store shows every status."""
    deck = list(SCENARIOS) if count >= len(SCENARIOS) else []
    deck += rng.choices(SCENARIOS, weights=[s.weight for s in SCENARIOS], k=count - len(deck))
    rng.shuffle(deck)
    return deck


def order_times(rng: random.Random, count: int, now: datetime, days: int = DAYS) -> list[datetime]:
    """``count`` creation times over the last ``days`` days, oldest first."""
    seconds = days * 86400
    return sorted(
        (now - timedelta(seconds=rng.randrange(seconds))).replace(microsecond=0)
        for _ in range(count)
    )


def _items(
    rng: random.Random, spec: RegionSpec, province: str, max_items: int, promotion: str
) -> list[ChargePlan]:
    count = rng.choices(range(1, max_items + 1), weights=(40, 28, 17, 10, 5)[:max_items])[0]
    items = []
    for product in rng.sample(CATALOGUE, count):
        variant = rng.choice(product.variants) if product.variants else ""
        rate = spec.tax_rate(product.category, province)
        items.append(
            ChargePlan(
                title=product.title,
                subtitle=variant,
                sku=variant_sku(product.sku, variant),
                thumbnail=product.thumbnail,
                unit_price=product.prices[spec.currency],
                quantity=rng.choices((1, 2, 3), weights=(75, 18, 7))[0],
                is_tax_inclusive=spec.is_tax_inclusive,
                tax_lines=(TaxLinePlan(rate.code, rate.name, rate.rate),),
            )
        )
    # Adjustments are without tax, so discounts are worked out on the net subtotal.
    net = [charge_totals(i.charge, spec.currency).subtotal for i in items]
    if promotion == "WELCOME10":
        for item, subtotal in zip(items, net, strict=True):
            amount = round_money(subtotal / 10, spec.currency)
            if amount > 0:
                item.adjustments.append(
                    AdjustmentPlan("WELCOME10", amount, "Welcome offer: 10 % off")
                )
    elif promotion == "SUMMER5" and sum(net) > 2 * spec.summer_discount:
        # A fixed discount on the order, shared by the items in proportion to their price.
        left = spec.summer_discount
        for index, (item, subtotal) in enumerate(zip(items, net, strict=True)):
            share = (
                left
                if index == len(items) - 1
                else round_money(spec.summer_discount * subtotal / sum(net), spec.currency)
            )
            left -= share
            description = f"Summer sale: {format_money(spec.summer_discount, spec.currency)} off"
            item.adjustments.append(AdjustmentPlan("SUMMER5", share, description))
    return items


def _shipping(
    rng: random.Random, spec: RegionSpec, province: str, item_total: Decimal
) -> ChargePlan:
    name, amount = rng.choices(spec.shipping, weights=(3, 1))[0]
    rate = spec.tax_rate("shipping", province)
    method = ChargePlan(
        title=name,
        unit_price=amount,
        is_tax_inclusive=spec.is_tax_inclusive,
        tax_lines=(TaxLinePlan(rate.code, rate.name, rate.rate),),
    )
    if name == "Standard" and item_total >= spec.free_shipping_over:
        threshold = format_money(spec.free_shipping_over, spec.currency)
        method.adjustments.append(
            AdjustmentPlan(
                "FREESHIP",
                charge_totals(method.charge, spec.currency).subtotal,
                f"Free standard shipping over {threshold}",
            )
        )
    return method


def _fulfil(items: list[ChargePlan], fulfillment: str) -> None:
    """Move units along fulfilled → shipped → delivered so the items reach ``fulfillment``."""
    if fulfillment == "none":
        return
    stage = ("fulfilled", "shipped", "delivered").index(fulfillment.removeprefix("partially_"))
    units = sum(i.quantity for i in items)
    reach = max(1, units // 2) if fulfillment.startswith("partially_") else units
    for item in items:
        moved = min(item.quantity, reach)
        reach -= moved
        item.fulfilled = moved
        item.shipped = moved if stage >= 1 else 0
        item.delivered = moved if stage >= 2 else 0


class _Clock:
    """Moments after an order was placed, in order, never in the future."""

    def __init__(self, rng: random.Random, start: datetime, now: datetime):
        self.rng, self.at, self.now = rng, start, now

    def later(self, max_hours: int) -> datetime:
        self.at = min(self.at + timedelta(minutes=self.rng.randint(5, max_hours * 60)), self.now)
        return self.at


def plan_order(
    rng: random.Random,
    customer: CustomerPlan,
    channel: str,
    scenario: Scenario,
    created_at: datetime,
    now: datetime,
    *,
    max_items: int = 5,
    gift_cards: GiftCardPool | None = None,
) -> OrderPlan:
    """One order of ``customer`` in their region, placed at ``created_at``, that has got as
    far as ``scenario`` says by ``now``."""
    spec = REGION_SPECS[customer.region]
    currency = spec.currency
    pos = channel == POINT_OF_SALE
    shipping_address = customer.address
    billing_address = shipping_address
    if rng.random() < 0.15:
        billing_address = _address(
            rng, spec, customer.first_name, customer.last_name, customer.phone
        )
    promotion = rng.choices(("", "WELCOME10", "SUMMER5"), weights=(75, 13, 12))[0]
    items = _items(rng, spec, shipping_address.province, max_items, promotion)
    item_total = sum(charge_totals(i.charge, currency).total for i in items)
    plan = OrderPlan(
        status=scenario.status,
        region=spec.name,
        currency=currency,
        channel=channel,
        customer=customer,
        shipping_address=shipping_address,
        billing_address=billing_address,
        created_at=created_at,
        items=items,
        shipping_methods=[]
        if pos
        else [_shipping(rng, spec, shipping_address.province, item_total)],
    )
    owed = plan.totals.total
    if gift_cards is not None and rng.random() < 0.08:
        use = gift_cards.spend(spec, round_money(owed * Decimal("0.6"), currency), created_at)
        if use is not None:
            plan.gift_card_uses.append(use)
            owed -= use[1]
    if rng.random() < 0.05 and owed > 3 * spec.credit:
        plan.credit_lines.append((spec.credit, rng.choice(CREDIT_REASONS)))
    # At the counter, items are handed over at once.
    _fulfil(items, "delivered" if pos and scenario.fulfillment != "none" else scenario.fulfillment)
    _payments_and_events(rng, plan, spec, scenario, now)
    return plan


def _payments_and_events(
    rng: random.Random, plan: OrderPlan, spec: RegionSpec, scenario: Scenario, now: datetime
) -> None:
    """The payment, its captures and refunds, and the timeline of an order that has got as far
    as ``scenario`` says."""
    currency, total = plan.currency, plan.totals.total
    pos = plan.channel == POINT_OF_SALE
    clock = _Clock(rng, plan.created_at, now)

    def log(event_type: str, actor: str, message: str, at: datetime, **data: object) -> None:
        plan.events.append(EventPlan(event_type, actor, message, data or None, at))

    placed = "Rung up at the Point of Sale" if pos else f"Placed on the {plan.channel}"
    log("order.placed", "system", placed, plan.created_at, total=to_string(total, currency))
    payment = None
    if scenario.payment != "not_paid":
        payment = PaymentPlan(amount=total, created_at=plan.created_at)
        plan.payments.append(payment)
        if share := CAPTURED_SHARE.get(scenario.payment):
            amount = round_money(total * share, currency)
            at = plan.created_at if pos else clock.later(3)
            payment.captures.append((amount, at))
            message = f"Payment of {format_money(amount, currency)} captured"
            log("order.payment_captured", "system", message, at, amount=to_string(amount, currency))
    if rng.random() < 0.15:
        log("note", DEMO_EMAIL, rng.choice(NOTES), clock.later(12))
    if fulfilled := sum(i.fulfilled for i in plan.items):
        message = f"{fulfilled} of {sum(i.quantity for i in plan.items)} units fulfilled"
        log("order.fulfillment_created", "system", message, clock.later(24), units=fulfilled)
    if plan.shipping_methods and any(i.shipped for i in plan.items):
        carrier = rng.choice(spec.carriers)
        tracking = "".join(rng.choice("0123456789") for _ in range(12))
        message = f"Shipped with {carrier}, tracking number {tracking}"
        log("order.shipment_created", "system", message, clock.later(24), carrier=carrier,
            tracking_number=tracking)  # fmt: skip
    if payment is not None and scenario.payment in ("partially_refunded", "refunded"):
        if scenario.payment == "refunded":
            amount = total
            canceled = scenario.status == "canceled"
            reason, note = ("other", "Order canceled") if canceled else ("return", "All returned")
        else:
            amount = round_money(total * rng.choice(PARTIAL_REFUND_SHARES), currency)
            reason, note = rng.choice(PARTIAL_REFUNDS)
        refund = RefundPlan(amount, reason, note, clock.later(24 * 5))
        payment.refunds.append(refund)
        message = f"Refund of {format_money(amount, currency)}: {note}"
        log("order.refund_created", DEMO_EMAIL, message, refund.at,
            amount=to_string(amount, currency), reason=reason)  # fmt: skip
    if scenario.status == "requires_action":
        message = "Capture failed: the card issuer asks for verification"
        log("order.updated", "system", message, clock.later(6))
    if scenario.status == "canceled":
        plan.canceled_at = clock.later(24)
        if payment is not None and scenario.payment == "canceled":
            payment.canceled_at = plan.canceled_at
        log("order.canceled", DEMO_EMAIL, "Order canceled at the customer's request",
            plan.canceled_at, before="pending", after="canceled")  # fmt: skip
    if scenario.status in ("completed", "archived"):
        log("order.completed", DEMO_EMAIL, "Order completed", clock.later(24 * 3),
            before="pending", after="completed")  # fmt: skip
    if scenario.status == "archived":
        log("order.archived", DEMO_EMAIL, "Order archived", clock.later(24 * 14),
            before="completed", after="archived")  # fmt: skip
