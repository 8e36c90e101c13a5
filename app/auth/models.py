"""Staff users and the API tokens other systems use."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from functools import cache

from flask import current_app
from flask_login import UserMixin
from sqlalchemy import ForeignKey, Index, String, select
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from app.db_types import UTCDateTime, utcnow
from app.extensions import db


class User(UserMixin, db.Model):
    """A member of staff who logs in to the order desk."""

    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Lower case; the login.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    #: Werkzeug's salted hash (scrypt unless ``PASSWORD_HASH_METHOD`` says otherwise); the
    #: password itself is never stored.
    password_hash: Mapped[str] = mapped_column(String(300))
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    logins: Mapped[list[StaffLogin]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )

    #: The token of the login this object was loaded for (see ``app.auth.logins``); not a
    #: column. Flask-Login keeps ``get_id()`` in the session and the remember-me cookie.
    login_token = None

    def get_id(self) -> str | None:
        return self.login_token

    def set_password(self, password: str) -> None:
        """Store a new password; every login made with the old one ends, on every device."""
        self.password_hash = generate_password_hash(
            password, method=current_app.config["PASSWORD_HASH_METHOD"]
        )
        self.logins.clear()

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)


def password_matches(user: User | None, password: str) -> bool:
    """Whether ``user`` is an active user and ``password`` is theirs. For no user (an unknown
    email) the password is checked against a stand-in hash of the same method, so the answer
    takes as long and the time taken does not tell which emails have a login."""
    if user is None:
        check_password_hash(_stand_in_hash(current_app.config["PASSWORD_HASH_METHOD"]), password)
        return False
    return user.check_password(password) and user.is_active


@cache
def _stand_in_hash(method: str) -> str:
    return generate_password_hash(secrets.token_urlsafe(16), method=method)


class StaffLogin(db.Model):
    """One login of a member of staff, on one device. Its random token is what the session
    cookie and the remember-me cookie carry, so logging out (deleting the row) makes every
    copy of those cookies worthless, and a password change deletes all of the user's rows."""

    __tablename__ = "staff_login"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    user: Mapped[User] = relationship(back_populates="logins")
    #: SHA-256 of the token; the token itself is only in the cookies.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: When the login ends even if nobody logs out.
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class LoginAttempt(db.Model):
    """A login form sent with an email and a password, kept while it counts towards the
    throttle (``app.auth.throttle``): a failed one, or one still being checked."""

    __tablename__ = "login_attempt"
    __table_args__ = (
        Index("ix_login_attempt_email_created_at", "email", "created_at"),
        Index("ix_login_attempt_address_created_at", "address", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: As typed, in lower case; unknown emails count too.
    email: Mapped[str] = mapped_column(String(254))
    #: The client's IP address.
    address: Mapped[str] = mapped_column(String(45))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


TOKEN_PREFIX = "odk_"


def hash_token(token: str) -> str:
    # Tokens are 256 random bits, so a fast hash is enough: nothing to brute-force.
    return hashlib.sha256(token.encode()).hexdigest()


class ApiToken(db.Model):
    """A bearer token for the JSON API; only its hash is kept."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Which system holds it; shown in the timeline as ``api:<name>``.
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @classmethod
    def issue(cls, name: str) -> tuple[ApiToken, str]:
        """A new token row and the token itself, which is shown once and never stored."""
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        return cls(name=name, token_hash=hash_token(token)), token

    @classmethod
    def find(cls, token: str) -> ApiToken | None:
        """The live token row for a presented bearer token, if any."""
        return db.session.scalar(
            select(cls).where(cls.token_hash == hash_token(token), cls.revoked_at.is_(None))
        )
