"""Customers and the postal addresses orders are shipped and billed to."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, Index, String, case, text
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column

from app.db_types import UTCDateTime, utcnow
from app.extensions import db


class Customer(db.Model):
    """Someone who places orders; an order keeps its own copy of the email."""

    __tablename__ = "customer"
    __table_args__ = (
        Index("ix_customer_first_name_lower", text("lower(first_name)")),
        Index("ix_customer_last_name_lower", text("lower(last_name)")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Lower case, unique: the key the import API matches customers on.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    first_name: Mapped[str] = mapped_column(String(100), default="")
    last_name: Mapped[str] = mapped_column(String(100), default="")
    phone: Mapped[str] = mapped_column(String(50), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @hybrid_property
    def full_name(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name) if p)

    @full_name.inplace.expression
    @classmethod
    def _full_name_expression(cls) -> ColumnElement[str]:
        # The same name in SQL, for lists that read plain rows rather than customers.
        return case(
            (cls.first_name == "", cls.last_name),
            (cls.last_name == "", cls.first_name),
            else_=cls.first_name + " " + cls.last_name,
        )


class Address(db.Model):
    """A postal address, copied onto each order so later edits to a customer leave it alone."""

    __tablename__ = "address"

    id: Mapped[int] = mapped_column(primary_key=True)
    first_name: Mapped[str] = mapped_column(String(100), default="")
    last_name: Mapped[str] = mapped_column(String(100), default="")
    company: Mapped[str] = mapped_column(String(200), default="")
    address_1: Mapped[str] = mapped_column(String(200), default="")
    address_2: Mapped[str] = mapped_column(String(200), default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    province: Mapped[str] = mapped_column(String(100), default="")
    postal_code: Mapped[str] = mapped_column(String(20), default="")
    #: ISO 3166 alpha-2, lower case as in Medusa.
    country_code: Mapped[str] = mapped_column(String(2), default="")
    phone: Mapped[str] = mapped_column(String(50), default="")

    FIELDS = (
        "first_name", "last_name", "company", "address_1", "address_2",
        "city", "province", "postal_code", "country_code", "phone",
    )  # fmt: skip

    @property
    def lines(self) -> list[str]:
        """The address as it is written on a parcel, empty parts left out."""
        name = " ".join(p for p in (self.first_name, self.last_name) if p)
        city = " ".join(p for p in (self.postal_code, self.city) if p)
        parts = [name, self.company, self.address_1, self.address_2, city, self.province,
                 self.country_code.upper()]  # fmt: skip
        return [p for p in parts if p]
