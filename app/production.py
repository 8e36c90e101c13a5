"""A production app serves nothing until a member of staff can log in with their own login.

The check runs at the first requests, not in ``create_app``: ``flask db upgrade`` and
``flask create-user`` must still run on an empty database, and they create the app too. Until
a staff user other than the demo login exists, every request (``/healthz`` included, so a load
balancer keeps traffic away) answers 503 with what to do; once one exists, the app stops
asking. Tests (``TESTING``) build their own users, so they skip it.
"""

from __future__ import annotations

import logging

from flask import Flask, Response
from sqlalchemy import select

from app.auth.models import User
from app.cli import DEMO_EMAIL
from app.extensions import db

log = logging.getLogger(__name__)

NOT_READY = (
    "Orderdesk is not ready: no member of staff can log in yet. Create a staff user with "
    "`flask --app app create-user EMAIL` (the demo login does not count), then reload.\n"
)


def install(app: Flask) -> None:
    if not app.config["PRODUCTION"] or app.testing:
        return
    ready = False

    @app.before_request
    def refuse_until_a_staff_user_exists() -> Response | None:
        nonlocal ready
        if ready:
            return None
        ready = _staff_user_exists()
        if ready:
            return None
        log.error("Refusing requests: no staff user other than the demo login exists")
        return Response(NOT_READY, 503, mimetype="text/plain", headers={"Retry-After": "60"})


def _staff_user_exists() -> bool:
    return db.session.scalar(
        select(User.id).where(User.email != DEMO_EMAIL, User.is_active).limit(1)
    ) is not None
