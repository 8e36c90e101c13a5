"""Logins kept on the server: each login of a member of staff is a ``StaffLogin`` row named
by a random token, and Flask-Login carries that token (not the user's id) in the session and
in the remember-me cookie. A cookie therefore works exactly as long as its row exists:
logging out deletes the row of that device, a password change deletes all of the user's."""

from __future__ import annotations

import secrets

from flask import current_app
from sqlalchemy import delete, select
from sqlalchemy.orm import joinedload

from app.auth.models import StaffLogin, User, hash_token
from app.db_types import utcnow
from app.extensions import db


def begin_login(user: User, remember: bool) -> None:
    """Start a login of ``user`` (not committed) and attach its token to the user object, for
    ``flask_login.login_user``. A remembered login lasts ``REMEMBER_COOKIE_DURATION``, any
    other ``LOGIN_DURATION``; expired logins of anyone are cleared out on the way."""
    now = utcnow()
    db.session.execute(delete(StaffLogin).where(StaffLogin.expires_at <= now))
    lasts = current_app.config["REMEMBER_COOKIE_DURATION" if remember else "LOGIN_DURATION"]
    token = secrets.token_urlsafe(32)
    db.session.add(
        StaffLogin(user_id=user.id, token_hash=hash_token(token), created_at=now,
                   expires_at=now + lasts)  # fmt: skip
    )
    user.login_token = token


def load_login(token: str) -> User | None:
    """The active user whose unexpired login has this token, with the token attached."""
    login = db.session.scalar(
        select(StaffLogin)
        .options(joinedload(StaffLogin.user))
        .where(StaffLogin.token_hash == hash_token(token), StaffLogin.expires_at > utcnow())
    )
    if login is None or not login.user.is_active:
        return None
    login.user.login_token = token
    return login.user


def end_login(token: str) -> None:
    """End the login with this token (not committed): its cookies stop working everywhere."""
    db.session.execute(delete(StaffLogin).where(StaffLogin.token_hash == hash_token(token)))
