"""Configuration, everything from environment variables with an embedded default."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit


class ConfigurationError(RuntimeError):
    """A setting the app refuses to start without."""


def _is_production(database_url: str) -> bool:
    """``ORDERDESK_ENV=production``, or a PostgreSQL database unless ``ORDERDESK_ENV`` is
    ``development`` (a developer's own PostgreSQL, the benchmarks)."""
    env = os.environ.get("ORDERDESK_ENV", "").strip().lower()
    return env == "production" or (env != "development" and database_url.startswith("postgres"))


def _secret_key(instance_path: str, production: bool) -> str | None:
    """``SECRET_KEY`` from the environment. Outside production, else one generated once and
    kept in the instance folder, so sessions survive a restart on a developer's machine; in
    production, where several processes must share one key, None (``check`` refuses it)."""
    if key := os.environ.get("SECRET_KEY"):
        return key
    if production:
        return None
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
    return path.read_text().strip()


def _database_url(instance_path: str) -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        # Platforms hand out postgres:// URLs; SQLAlchemy wants the driver named.
        for prefix in ("postgres://", "postgresql://"):
            if url.startswith(prefix):
                return "postgresql+psycopg://" + url[len(prefix):]
        return url
    Path(instance_path).mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{Path(instance_path) / 'orderdesk.db'}"


def from_environment(instance_path: str) -> dict:
    """The settings of a running app."""
    https_only = os.environ.get("SESSION_COOKIE_SECURE", "") == "1"
    database_url = _database_url(instance_path)
    production = _is_production(database_url)
    return {
        # Production refuses to start without SECRET_KEY (check) and refuses requests until
        # a staff user other than the demo login exists (app.production).
        "PRODUCTION": production,
        "SECRET_KEY": _secret_key(instance_path, production),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        # How many proxies in front of the app add X-Forwarded-For (and -Proto): the
        # client's address, which login throttling counts by, is then the one they saw.
        "TRUSTED_PROXIES": int(os.environ.get("TRUSTED_PROXIES", "0")),
        "SMTP_HOST": os.environ.get("SMTP_HOST", ""),
        "SMTP_PORT": int(os.environ.get("SMTP_PORT", "25")),
        "MAIL_FROM": os.environ.get("MAIL_FROM", "orders@orderdesk.localhost"),
        # "inline": events are delivered right after the request that wrote them commits;
        # "worker": `flask --app app worker` delivers them in a process of its own.
        "OUTBOX_DELIVERY": os.environ.get("OUTBOX_DELIVERY", "inline"),
        # How long an event may wait for delivery before the health check calls the outbox
        # lagging (no worker running, or deliveries failing).
        "OUTBOX_MAX_LAG_SECONDS": int(os.environ.get("OUTBOX_MAX_LAG_SECONDS", "300")),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": https_only,
        # The remember-me cookie (Flask-Login) logs a browser in just as the session cookie
        # does, so it gets the same flags.
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": https_only,
        # A login ends on the server after this long (app.auth.logins), or after
        # REMEMBER_COOKIE_DURATION when "Keep me logged in" was ticked: a working day, a month.
        "LOGIN_DURATION": timedelta(hours=12),
        "REMEMBER_COOKIE_DURATION": timedelta(days=30),
        "WTF_CSRF_TIME_LIMIT": None,
        # Werkzeug's hash for staff passwords: scrypt, deliberately slow to brute-force. Tests
        # set a one-round hash instead, since they log in hundreds of times.
        "PASSWORD_HASH_METHOD": "scrypt",
        "ORDERS_PAGE_SIZE": 50,
        # How long a customer's link to confirm or decline an order edit works.
        "ORDER_EDIT_LINK_DAYS": int(os.environ.get("ORDER_EDIT_LINK_DAYS", "7")),
        # How many days after delivery (or after shipping, while not delivered) a customer
        # can ask units back through the link in the shipment email.
        "RETURN_WINDOW_DAYS": int(os.environ.get("RETURN_WINDOW_DAYS", "30")),
        # Where customers reach the app (https://orders.example.com): the links in emails
        # sent by the outbox worker, which has no request to take the address from.
        "PUBLIC_URL": os.environ.get("PUBLIC_URL", ""),
        "IMPORT_MAX_ORDERS": 1000,
        # Largest import body read, in bytes: far above what 1,000 orders need.
        "IMPORT_MAX_BYTES": 16 * 1024 * 1024,
    }


def check(settings) -> None:
    """Refuse settings the app must not run with: production without its own SECRET_KEY, a
    PUBLIC_URL that is not a web address (every emailed link would be broken), order-edit
    links that would expire as they are sent."""
    if settings["PRODUCTION"] and not settings.get("SECRET_KEY"):
        raise ConfigurationError(
            "Set SECRET_KEY in the environment: in production (a PostgreSQL DATABASE_URL or "
            "ORDERDESK_ENV=production) every process must sign sessions with the same key. "
            "Generate one with: python3 -c 'import secrets; print(secrets.token_hex(32))'"
        )
    public = urlsplit(settings.get("PUBLIC_URL", ""))
    if public.geturl() and (public.scheme not in ("http", "https") or not public.netloc
                            or public.query or public.fragment):  # fmt: skip
        raise ConfigurationError(
            f"PUBLIC_URL {public.geturl()!r} is not a web address: give where customers reach "
            "the app, such as https://orders.example.com (a path after it is kept)."
        )
    if settings.get("ORDER_EDIT_LINK_DAYS", 7) < 1:
        raise ConfigurationError("ORDER_EDIT_LINK_DAYS must be 1 or more: a customer's link to "
                                 "an order edit would expire before it reached them.")
    if settings.get("RETURN_WINDOW_DAYS", 30) < 1:
        raise ConfigurationError("RETURN_WINDOW_DAYS must be 1 or more: the link to start a "
                                 "return would expire before it reached the customer.")
