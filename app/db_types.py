"""Column types that behave the same on SQLite and PostgreSQL."""

from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import BigInteger, DateTime, Numeric
from sqlalchemy.types import TypeDecorator

from app.money import STORED_DECIMALS


class ExactDecimal(TypeDecorator):
    """A ``Decimal`` kept exactly: ``NUMERIC(24, 6)`` on PostgreSQL; on SQLite, which has no
    exact decimal type, an integer of millionths, so that it still sorts and compares in SQL.
    That integer has 64 bits: ``app.money``'s limits keep every amount far below its bound."""

    impl = Numeric
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name == "sqlite":
            return dialect.type_descriptor(BigInteger())
        return dialect.type_descriptor(Numeric(24, STORED_DECIMALS, asdecimal=True))

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        value = Decimal(value)
        if dialect.name == "sqlite":
            return int(value.scaleb(STORED_DECIMALS).to_integral_exact())
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if dialect.name == "sqlite":
            return Decimal(int(value)).scaleb(-STORED_DECIMALS).normalize() + Decimal(0)
        return Decimal(value).normalize() + Decimal(0)


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes in and out; stored as naive UTC so both databases agree."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use utcnow()")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


def utcnow() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)
