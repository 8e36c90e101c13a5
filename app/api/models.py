"""What the API keeps between requests: the answers to requests sent with an
``Idempotency-Key`` (``app.api.idempotency``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db_types import UTCDateTime, utcnow
from app.extensions import db


class IdempotencyKey(db.Model):
    """A write request sent with an ``Idempotency-Key`` header, and the answer it got, so
    that a retry with the same key gets that answer again instead of acting twice."""

    __tablename__ = "idempotency_key"
    __table_args__ = (UniqueConstraint("api_token_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Keys belong to the token that sent them: two systems may pick the same key.
    api_token_id: Mapped[int] = mapped_column(ForeignKey("api_token.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(255))
    #: SHA-256 of the method, path, query and body: the same key with another request is
    #: refused.
    request_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    #: The answer's status and JSON body; None while the first request is being answered.
    status_code: Mapped[int | None]
    response_body: Mapped[str | None] = mapped_column(Text)
