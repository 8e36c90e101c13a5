"""Orderdesk: order management for merchants."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix

from app import config
from app.extensions import csrf, db, login_manager, migrate
from app.routing import IdConverter


def create_app(overrides: dict | None = None) -> Flask:
    """Build the app: settings from the environment, then ``overrides`` (tests use these)."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder="../templates",
        static_folder="../static",
    )
    app.config.update(config.from_environment(app.instance_path))
    if overrides:
        app.config.update(overrides)
    config.check(app.config)
    if proxies := app.config["TRUSTED_PROXIES"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)
    app.url_map.converters["int"] = IdConverter

    db.init_app(app)
    migrate.init_app(app, db, directory=str(app.root_path + "/../migrations"))
    csrf.init_app(app)
    login_manager.init_app(app)

    from app import models  # noqa: F401  (every mapper known before the first query)
    from app.api import claims, exchanges, order_edits, returns  # noqa: F401  (API routes)
    from app.api.views import bp as api_bp
    from app.auth.views import bp as auth_bp
    from app.changes.customer_views import bp as customer_bp
    from app.changes.version_views import bp as order_versions_bp
    from app.changes.views import bp as changes_bp
    from app.claims.views import bp as claims_bp
    from app.draft_orders.views import bp as draft_orders_bp
    from app.exchanges.views import bp as exchanges_bp
    from app.health import bp as health_bp
    from app.orders.views import bp as orders_bp
    from app.returns import customer_views  # noqa: F401  (adds the return link to /c)
    from app.returns.views import bp as returns_bp
    from app.settings.views import bp as settings_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(orders_bp)
    app.register_blueprint(returns_bp)
    app.register_blueprint(exchanges_bp)
    app.register_blueprint(claims_bp)
    app.register_blueprint(changes_bp)
    app.register_blueprint(order_versions_bp)
    app.register_blueprint(draft_orders_bp)
    app.register_blueprint(settings_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(health_bp)
    app.register_blueprint(customer_bp)
    csrf.exempt(api_bp)  # the API authenticates with bearer tokens, not cookies

    from app.templating import register_template_helpers

    register_template_helpers(app)

    from app.events.outbox import install as install_outbox
    from app.notifications import customer_email, order_edit_email  # noqa: F401  (subscribers)

    install_outbox(app)

    from app.request_checks import install as install_request_checks

    install_request_checks(app)

    from app.transactions import install as install_transactions

    install_transactions(app)

    from app.security_headers import install as install_security_headers

    install_security_headers(app)

    from app.cli import register_commands

    register_commands(app)

    from app.production import install as install_production_checks

    install_production_checks(app)
    return app


@event.listens_for(Engine, "connect")
def _sqlite_foreign_keys(dbapi_connection, connection_record):
    # SQLite ignores foreign keys unless asked, per connection.
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()
