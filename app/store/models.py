"""Store settings that orders refer to: regions (currency, taxes) and sales channels."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db_types import ExactDecimal
from app.extensions import db

if TYPE_CHECKING:
    from app.catalog.models import ShippingOption


class Region(db.Model):
    """A market with one currency and its own tax rules."""

    __tablename__ = "region"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Shown to staff, also accepted by the import API instead of the id.
    name: Mapped[str] = mapped_column(String(100), unique=True)
    #: ISO 4217, upper case.
    currency_code: Mapped[str] = mapped_column(String(3))
    #: Prices in this region include tax (as in the EU) rather than have it added on top.
    is_tax_inclusive: Mapped[bool] = mapped_column(default=False)
    #: ISO 3166 alpha-2 countries served, comma separated.
    countries: Mapped[str] = mapped_column(String(200), default="")

    tax_rates: Mapped[list[TaxRate]] = relationship(
        back_populates="region", order_by="TaxRate.id", cascade="all, delete-orphan"
    )
    #: Read only: options are kept in the catalogue's settings, not through their region.
    shipping_options: Mapped[list[ShippingOption]] = relationship(
        order_by="(ShippingOption.amount, ShippingOption.name)", viewonly=True
    )

    @property
    def default_tax_rate(self) -> TaxRate | None:
        return next((r for r in self.tax_rates if r.is_default), None)


class TaxRate(db.Model):
    """A tax rate of a region, as a percent."""

    __tablename__ = "tax_rate"

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id", ondelete="CASCADE"))
    #: Short code printed on tax lines, e.g. ``VAT``.
    code: Mapped[str] = mapped_column(String(50))
    name: Mapped[str] = mapped_column(String(100))
    #: Percent: 19 means 19 %.
    rate: Mapped[Decimal] = mapped_column(ExactDecimal)
    #: The rate applied when nothing more specific matches.
    is_default: Mapped[bool] = mapped_column(default=False)
    #: Set on an override: the rate taxes products of this type instead of the default rate.
    product_type: Mapped[str | None] = mapped_column(String(100))

    region: Mapped[Region] = relationship(back_populates="tax_rates")


class SalesChannel(db.Model):
    """Where an order came from: the web shop, a marketplace, the shop counter."""

    __tablename__ = "sales_channel"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    description: Mapped[str] = mapped_column(String(500), default="")
    #: Orders that name no sales channel (imports, drafts) go to the default one.
    is_default: Mapped[bool] = mapped_column(default=False)
    is_disabled: Mapped[bool] = mapped_column(default=False)
