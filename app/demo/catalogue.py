"""The demo store: regions with their taxes, sales channels, products, and the scenarios that
say how far an order has got."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

SEED = 1001
DAYS = 90
WEB_STORE = "Web Store"
POINT_OF_SALE = "Point of Sale"
CHANNELS = {WEB_STORE: "The online shop", POINT_OF_SALE: "The shop counter"}
CHANNEL_WEIGHTS = {WEB_STORE: 7, POINT_OF_SALE: 3}


@dataclass(frozen=True)
class Rate:
    """A tax rate in percent (19 = 19 %)."""

    code: str
    name: str
    rate: Decimal
    is_default: bool = False


@dataclass(frozen=True)
class City:
    """A city that demo addresses are in."""

    name: str
    province: str
    postal_prefix: str
    #: Streets or districts of this city; empty means the region's streets.
    streets: tuple[str, ...] = ()


@dataclass(frozen=True)
class RegionSpec:
    """A demo region: currency and taxes, and what its addresses, names and prices look like."""

    name: str
    currency: str
    is_tax_inclusive: bool
    country: str
    weight: int
    rates: tuple[Rate, ...]
    #: Tax rate code per product category taxed at a reduced rate.
    reduced: dict[str, str]
    #: Tax rate code per province, where the rate depends on it (US sales tax).
    by_province: dict[str, str]
    cities: tuple[City, ...]
    streets: tuple[str, ...]
    street_format: str
    postal_format: str
    phone_format: str
    first_names: tuple[str, ...]
    last_names: tuple[str, ...]
    shipping: tuple[tuple[str, Decimal], ...]
    free_shipping_over: Decimal
    summer_discount: Decimal
    credit: Decimal
    gift_card_values: tuple[Decimal, ...]
    carriers: tuple[str, ...]

    def tax_rate(self, category: str, province: str) -> Rate:
        """The rate for a product category delivered to a province."""
        code = self.reduced.get(category) or self.by_province.get(province)
        return next(r for r in self.rates if r.code == code or (code is None and r.is_default))


def _d(*values: str) -> tuple[Decimal, ...]:
    return tuple(Decimal(v) for v in values)


REGIONS = (
    RegionSpec(
        name="United States", currency="USD", is_tax_inclusive=False, country="us", weight=5,
        rates=(
            Rate("US-NY", "New York sales tax", Decimal("8.875"), is_default=True),
            Rate("US-CA", "California sales tax", Decimal("8.625")),
            Rate("US-TX", "Texas sales tax", Decimal("8.25")),
            Rate("US-WA", "Washington sales tax", Decimal("10.35")),
            Rate("US-IL", "Illinois sales tax", Decimal("10.25")),
        ),
        reduced={},
        by_province={"NY": "US-NY", "CA": "US-CA", "TX": "US-TX", "WA": "US-WA", "IL": "US-IL"},
        cities=(
            City("New York", "NY", "100"), City("Brooklyn", "NY", "112"),
            City("Los Angeles", "CA", "900"), City("San Francisco", "CA", "941"),
            City("Austin", "TX", "787"), City("Houston", "TX", "770"),
            City("Seattle", "WA", "981"), City("Chicago", "IL", "606"),
        ),
        streets=("Maple Avenue", "Oak Street", "Cedar Lane", "Park Avenue", "Lake View Drive",
                 "Washington Street", "Elm Street", "Sunset Boulevard"),
        street_format="{n} {street}", postal_format="{prefix}{n:02d}",
        phone_format="+1 555 01{k}{k} {m:04d}",
        first_names=("James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael",
                     "Linda", "David", "Elizabeth", "Olivia", "Ethan", "Sophia", "Jamal",
                     "Priya", "Carlos", "Mei", "Aiden", "Grace", "Noah"),
        last_names=("Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller",
                    "Davis", "Rodriguez", "Martinez", "Wilson", "Anderson", "Taylor", "Moore",
                    "Jackson", "Lee", "Nguyen", "Patel", "Kim", "Clark"),
        shipping=(("Standard", Decimal("5.99")), ("Express", Decimal("14.99"))),
        free_shipping_over=Decimal("100.00"), summer_discount=Decimal("5.00"),
        credit=Decimal("5.00"), gift_card_values=_d("25.00", "50.00", "100.00"),
        carriers=("UPS", "USPS", "FedEx"),
    ),
    RegionSpec(
        name="Germany", currency="EUR", is_tax_inclusive=True, country="de", weight=3,
        rates=(
            Rate("DE-VAT", "Umsatzsteuer", Decimal("19"), is_default=True),
            Rate("DE-VAT-7", "Umsatzsteuer, ermäßigt", Decimal("7")),
        ),
        reduced={"food": "DE-VAT-7", "book": "DE-VAT-7"},
        by_province={},
        cities=(
            City("Berlin", "Berlin", "101"), City("Hamburg", "Hamburg", "204"),
            City("München", "Bayern", "803"), City("Köln", "Nordrhein-Westfalen", "506"),
            City("Frankfurt am Main", "Hessen", "603"), City("Leipzig", "Sachsen", "041"),
            City("Stuttgart", "Baden-Württemberg", "701"),
        ),
        streets=("Hauptstraße", "Bahnhofstraße", "Gartenweg", "Lindenallee", "Schillerstraße",
                 "Goethestraße", "Am Markt", "Bergstraße"),
        street_format="{street} {n}", postal_format="{prefix}{n:02d}",
        phone_format="+49 151 {m:04d}{k}{k}{k}",
        first_names=("Anna", "Lukas", "Lena", "Leon", "Marie", "Finn", "Sophie", "Jonas", "Emma",
                     "Paul", "Mia", "Felix", "Hannah", "Maximilian", "Laura", "Jan"),
        last_names=("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner",
                    "Becker", "Schulz", "Hoffmann", "Koch", "Richter", "Klein", "Wolf",
                    "Schröder", "Neumann"),
        shipping=(("Standard", Decimal("4.90")), ("Express", Decimal("9.90"))),
        free_shipping_over=Decimal("80.00"), summer_discount=Decimal("5.00"),
        credit=Decimal("5.00"), gift_card_values=_d("25.00", "50.00", "100.00"),
        carriers=("DHL", "Hermes", "DPD"),
    ),
    RegionSpec(
        name="Japan", currency="JPY", is_tax_inclusive=True, country="jp", weight=2,
        rates=(
            Rate("JP-CT", "Consumption tax", Decimal("10"), is_default=True),
            Rate("JP-CT-8", "Consumption tax, reduced (food)", Decimal("8")),
        ),
        reduced={"food": "JP-CT-8"},
        by_province={},
        cities=(
            City("Shibuya-ku", "Tokyo", "150", ("Jingumae", "Ebisu", "Sendagaya")),
            City("Setagaya-ku", "Tokyo", "154", ("Sangenjaya", "Shimokitazawa")),
            City("Osaka, Kita-ku", "Osaka", "530", ("Umeda", "Nakazakinishi")),
            City("Kyoto, Nakagyo-ku", "Kyoto", "604", ("Sanjo-dori", "Karasuma")),
            City("Yokohama, Nishi-ku", "Kanagawa", "220", ("Minatomirai", "Takashima")),
            City("Sapporo, Chuo-ku", "Hokkaido", "060", ("Kita 3-jo Nishi", "Odori Nishi")),
            City("Fukuoka, Chuo-ku", "Fukuoka", "810", ("Tenjin", "Daimyo")),
        ),
        streets=(),
        street_format="{k}-{m} {street}", postal_format="{prefix}-{m:04d}",
        phone_format="+81 90-{m:04d}-{n:04d}",
        first_names=("Haruto", "Yui", "Sota", "Hina", "Yuto", "Aoi", "Riku", "Sakura", "Ren",
                     "Mei", "Takumi", "Yuna", "Kaito", "Rin"),
        last_names=("Sato", "Suzuki", "Takahashi", "Tanaka", "Watanabe", "Ito", "Yamamoto",
                    "Nakamura", "Kobayashi", "Kato", "Yoshida", "Yamada", "Sasaki", "Inoue"),
        shipping=(("Standard", Decimal("600")), ("Express", Decimal("1200"))),
        free_shipping_over=Decimal("11000"), summer_discount=Decimal("500"),
        credit=Decimal("500"), gift_card_values=_d("3000", "5000", "10000"),
        carriers=("Yamato Transport", "Sagawa Express", "Japan Post"),
    ),
)  # fmt: skip
REGION_SPECS = {spec.name: spec for spec in REGIONS}


@dataclass(frozen=True)
class Product:
    """A product of the catalogue, with its price in each region's currency."""

    title: str
    sku: str
    #: ``food`` and ``book`` are taxed at reduced rates in some regions.
    category: str
    prices: dict[str, Decimal]
    variants: tuple[str, ...] = ()

    @property
    def thumbnail(self) -> str:
        return f"/static/img/products/{self.sku.lower()}.svg"


def _product(title, sku, category, usd, eur, jpy, variants=()) -> Product:
    prices = dict(zip(("USD", "EUR", "JPY"), _d(usd, eur, jpy), strict=True))
    return Product(title, sku, category, prices, variants)


CATALOGUE = (
    _product("Linen Apron", "LIN-APR", "goods", "34.00", "32.00", "4800", ("Natural", "Indigo")),
    _product("Ceramic Pour-Over Set", "CER-POS", "goods", "48.50", "45.00", "6600"),
    _product("Sencha Green Tea, 100 g", "TEA-SEN", "food", "14.95", "12.90", "1620"),
    _product("Single-Origin Coffee Beans, 250 g", "COF-BNS", "food", "18.50", "15.90", "2160"),
    _product("Dark Chocolate 72 %, 100 g", "CHO-DRK", "food", "4.25", "3.49", "430"),
    _product("Extra Virgin Olive Oil, 500 ml", "OIL-OLV", "food", "21.75", "16.80", "2480"),
    _product("Dot-Grid Notebook A5", "NTB-DOT", "goods", "12.00", "10.95", "1320"),
    _product("Fountain Pen", "PEN-FTN", "goods", "64.00", "59.00", "8800", ("Fine", "Medium")),
    _product("The Slow Kitchen (hardcover)", "BK-SLOW", "book", "29.99", "28.00", "3520"),
    _product("A Field Guide to Moss", "BK-MOSS", "book", "16.99", "14.99", "1980"),
    _product("Merino Wool Beanie", "MER-BEA", "goods", "28.00", "26.00", "3300",
             ("Charcoal", "Ochre", "Moss")),
    _product("Canvas Tote Bag", "TOT-CAN", "goods", "19.90", "17.90", "2200"),
    _product("Hinoki Soap Bar", "SOP-HIN", "goods", "9.50", "8.90", "990"),
    _product("Stoneware Mug", "MUG-STN", "goods", "22.00", "19.50", "2640",
             ("Speckled white", "Moss green")),
    _product("Beeswax Candle", "CND-BWX", "goods", "15.25", "13.90", "1760"),
    _product("Walnut Cutting Board", "BRD-WAL", "goods", "56.00", "52.00", "7150"),
)  # fmt: skip

#: Products on the shelf that the demo orders do not use, so the catalogue has a few dozen.
MORE_PRODUCTS = (
    _product("Matcha Powder, 30 g", "TEA-MAT", "food", "24.00", "21.90", "2700"),
    _product("Earl Grey Tea, 100 g", "TEA-EGR", "food", "12.50", "10.90", "1430"),
    _product("Hojicha Roasted Tea, 100 g", "TEA-HOJ", "food", "13.75", "11.90", "1540"),
    _product("Wildflower Honey, 250 g", "HON-WLD", "food", "11.95", "9.80", "1320"),
    _product("Sea Salt Flakes, 125 g", "SLT-SEA", "food", "7.50", "6.20", "880"),
    _product("Sourdough Crackers", "CRK-SRD", "food", "6.25", "4.99", "660"),
    _product("Japanese Knife Sharpening Stone", "STN-SHP", "goods", "42.00", "39.00", "5280"),
    _product("Cast Iron Teapot", "POT-IRN", "goods", "79.00", "72.00", "9900",
             ("Black", "Rust red")),
    _product("Cotton Tea Towel", "TWL-COT", "goods", "14.00", "12.90", "1650",
             ("Stripe", "Check", "Plain")),
    _product("Linen Shirt", "SHT-LIN", "goods", "89.00", "82.00", "11000",
             ("White / S", "White / M", "White / L", "Indigo / S", "Indigo / M", "Indigo / L")),
    _product("Wool Socks", "SCK-WOL", "goods", "18.00", "16.50", "2090",
             ("Grey / 39-42", "Grey / 43-46", "Navy / 39-42", "Navy / 43-46")),
    _product("Bamboo Chopsticks, 5 pairs", "CHP-BMB", "goods", "9.90", "8.90", "1100"),
    _product("Glass Water Carafe", "CRF-GLS", "goods", "36.00", "33.00", "4400"),
    _product("Pocket Sketchbook", "SKB-PKT", "goods", "9.00", "8.50", "990"),
    _product("Brass Pencil Sharpener", "SHP-BRS", "goods", "16.00", "14.50", "1870"),
    _product("Washi Tape, 3 rolls", "TAP-WSH", "goods", "8.40", "7.90", "880"),
    _product("Modern Tea Rituals (paperback)", "BK-TEA", "book", "19.99", "18.00", "2420"),
    _product("The Handmade Home (hardcover)", "BK-HOME", "book", "34.99", "32.00", "4180"),
    _product("Gift Wrapping", "SRV-WRP", "service", "4.00", "3.50", "440"),
)  # fmt: skip


@dataclass(frozen=True)
class PromotionSpec:
    """A demo promotion; ``starts_days``/``ends_days`` count from today (negative: past)."""

    code: str
    description: str
    type: str
    value: Decimal
    currency: str | None = None
    target: str = "items"
    min_subtotal: Decimal | None = None
    starts_days: int = -DAYS
    ends_days: int | None = None
    usage_limit: int | None = None
    usage_count: int = 0
    is_active: bool = True


PROMOTIONS = (
    PromotionSpec("WELCOME10", "Welcome offer: 10 % off", "percentage", Decimal(10)),
    PromotionSpec("SUMMER5", "Summer sale: $5.00 off", "fixed", Decimal(5), "USD",
                  min_subtotal=Decimal(10), ends_days=30),
    PromotionSpec("SOMMER5", "Sommerschlussverkauf: 5,00 € Rabatt", "fixed", Decimal(5), "EUR",
                  min_subtotal=Decimal(10), ends_days=30),
    PromotionSpec("NATSU500", "Summer sale: ¥500 off", "fixed", Decimal(500), "JPY",
                  min_subtotal=Decimal(1000), ends_days=30),
    PromotionSpec("FREESHIP", "Free shipping", "percentage", Decimal(100), target="shipping"),
    PromotionSpec("BIGBASKET15", "15 % off orders from $150", "percentage", Decimal(15), "USD",
                  min_subtotal=Decimal(150)),
    PromotionSpec("SPRING20", "Spring sale, over", "percentage", Decimal(20), starts_days=-80,
                  ends_days=-50),
    PromotionSpec("LAUNCH25", "Launch offer, first 50 orders", "percentage", Decimal(25),
                  usage_limit=50, usage_count=50),
    PromotionSpec("STAFF30", "Staff discount, paused", "percentage", Decimal(30),
                  is_active=False),
    PromotionSpec("HOLIDAY10", "Holiday sale, starts soon", "percentage", Decimal(10),
                  starts_days=20, ends_days=50),
)  # fmt: skip
#: Offered at the shop counter in every region, besides the region's carriers.
PICKUP = "Pickup in store"


def variant_sku(sku: str, variant: str) -> str:
    """``MUG-STN-SPE`` for the mug in speckled white (as on the demo orders' lines),
    ``SHT-LIN-WHI-M`` for the shirt in White / M."""
    if not variant:
        return sku
    first, *rest = variant.split(" / ")
    return "-".join([sku, first[:3].upper(), *(part.replace(" ", "").upper() for part in rest)])


def ean13(body: str) -> str:
    """A 12-digit body with its EAN-13 check digit, as a scanner reads it."""
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body))
    return body + str((10 - total % 10) % 10)


@dataclass(frozen=True)
class Scenario:
    """Where an order stands: its status, what happened to its payment and to its items."""

    status: str
    #: ``not_paid``, ``authorized``, ``canceled``, ``partially_captured``, ``captured``,
    #: ``partially_refunded`` or ``refunded``.
    payment: str
    #: ``none``, or the fulfillment status the items reach.
    fulfillment: str
    weight: int


SCENARIOS = (
    Scenario("pending", "not_paid", "none", 6),
    Scenario("pending", "authorized", "none", 14),
    Scenario("pending", "captured", "none", 12),
    Scenario("pending", "captured", "partially_fulfilled", 3),
    Scenario("pending", "captured", "fulfilled", 4),
    Scenario("pending", "partially_captured", "partially_shipped", 2),
    Scenario("pending", "captured", "shipped", 8),
    Scenario("pending", "captured", "partially_delivered", 2),
    Scenario("pending", "partially_refunded", "delivered", 3),
    Scenario("completed", "captured", "delivered", 18),
    Scenario("completed", "partially_refunded", "delivered", 3),
    Scenario("archived", "captured", "delivered", 7),
    Scenario("archived", "refunded", "delivered", 2),
    Scenario("canceled", "canceled", "none", 4),
    Scenario("canceled", "refunded", "none", 2),
    Scenario("canceled", "not_paid", "none", 2),
    Scenario("requires_action", "authorized", "none", 4),
    Scenario("requires_action", "not_paid", "none", 2),
)

NOTES = (
    "Customer asked for gift wrapping.",
    "Called the customer: the parcel may be left with a neighbour.",
    "Address checked with the customer by phone.",
    "Customer asked whether the items can ship together.",
    "VIP customer: add a handwritten thank-you card.",
)
#: Share of the order total captured, by ``Scenario.payment``.
CAPTURED_SHARE = {
    "partially_captured": Decimal("0.5"),
    "captured": Decimal(1),
    "partially_refunded": Decimal(1),
    "refunded": Decimal(1),
}
PARTIAL_REFUND_SHARES = (Decimal("0.1"), Decimal("0.25"), Decimal("0.5"))
PARTIAL_REFUNDS = (
    ("return", "One item returned"),
    ("discount", "Goodwill discount after a complaint"),
    ("other", "Item arrived damaged"),
)
CREDIT_REASONS = ("Goodwill: late delivery", "Store credit", "Price match")
GIFT_CARD_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


@dataclass(frozen=True)
class ReturnReasonSpec:
    """A demo return reason and the child reasons that detail it."""

    value: str
    label: str
    description: str = ""
    children: tuple[ReturnReasonSpec, ...] = ()


RETURN_REASONS = (
    ReturnReasonSpec("wrong_size", "Wrong size", children=(
        ReturnReasonSpec("too_small", "Too small"),
        ReturnReasonSpec("too_large", "Too large"),
    )),
    ReturnReasonSpec("damaged", "Damaged or faulty",
                     "Arrived broken, or stopped working."),
    ReturnReasonSpec("not_as_described", "Not as described",
                     "Differs from the product page: colour, material, features."),
    ReturnReasonSpec("changed_mind", "Changed my mind"),
    ReturnReasonSpec("other", "Other", "Say more in the return's note."),
)  # fmt: skip
