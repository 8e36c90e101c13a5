"""Login throttling: after ``MAX_FAILURES`` wrong passwords for one account, or from one
address, within ``WINDOW``, further logins for that account or from that address are refused
(HTTP 429) until the oldest of those failures is ``WINDOW`` old.

Attempts are rows of the database, so every app process counts the same ones (Flask-Limiter,
the usual extension, keeps its counters in memory, Redis, Memcached or MongoDB, none of which
Orderdesk runs). An attempt is recorded and committed *before* its password is checked, and
kept unless the password was right: of attempts sent at once, each one counts those committed
before it, so no burst of parallel guesses gets more than ``MAX_FAILURES`` checked.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select

from app.auth.models import LoginAttempt
from app.db_types import utcnow
from app.extensions import db

MAX_FAILURES = 5
WINDOW = timedelta(minutes=15)


def record_attempt(email: str, address: str) -> LoginAttempt:
    """Count a login attempt from now on (committed); attempts older than the window are
    cleared out on the way."""
    now = utcnow()
    db.session.execute(delete(LoginAttempt).where(LoginAttempt.created_at <= now - WINDOW))
    attempt = LoginAttempt(email=email, address=address, created_at=now)
    db.session.add(attempt)
    db.session.commit()
    return attempt


def refused_until(attempt: LoginAttempt) -> datetime | None:
    """When this attempt's account and address may try again, if either has had
    ``MAX_FAILURES`` other attempts within the window; None when the attempt may go ahead."""
    until = None
    for column, value in ((LoginAttempt.email, attempt.email),
                          (LoginAttempt.address, attempt.address)):  # fmt: skip
        # The MAX_FAILURES-th most recent other attempt: once it is out of the window, fewer
        # than MAX_FAILURES remain in it.
        oldest_counted = db.session.scalar(
            select(LoginAttempt.created_at)
            .where(column == value, LoginAttempt.id != attempt.id,
                   LoginAttempt.created_at > utcnow() - WINDOW)
            .order_by(LoginAttempt.created_at.desc())
            .offset(MAX_FAILURES - 1)
            .limit(1)
        )  # fmt: skip
        if oldest_counted is not None and (until is None or oldest_counted + WINDOW > until):
            until = oldest_counted + WINDOW
    return until


def withdraw(attempt: LoginAttempt) -> None:
    """Stop counting a refused attempt (committed): its password was never checked, and
    counting it would keep an account locked for as long as someone keeps knocking."""
    db.session.delete(attempt)
    db.session.commit()


def forget_failures(email: str, address: str) -> None:
    """After a right password (not committed): this account's failures from this address no
    longer count. Its failures from other addresses still do, and so do other accounts'."""
    db.session.execute(
        delete(LoginAttempt).where(LoginAttempt.email == email, LoginAttempt.address == address)
    )
