"""Command-line tasks: ``flask --app app create-user``, ``create-api-token``, ``demo-data``,
``worker``."""

from __future__ import annotations

import time

import click
from flask import Flask
from sqlalchemy import func, select

from app.auth.models import ApiToken, User
from app.events.outbox import deliver_pending
from app.extensions import db
from app.orders.models import Order

DEMO_EMAIL = "demo@orderdesk.test"
DEMO_PASSWORD = "demo-orders"


def register_commands(app: Flask) -> None:
    @app.cli.command("create-user")
    @click.argument("email")
    @click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
    @click.option("--name", default="")
    def create_user(email: str, password: str, name: str) -> None:
        """Create a staff user who can log in, or reset the password of an existing one."""
        email = email.strip().lower()
        if len(password) < 8:
            raise click.BadParameter("use at least 8 characters", param_hint="--password")
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            user = User(email=email, name=name or email.split("@")[0])
            db.session.add(user)
        user.set_password(password)
        db.session.commit()
        click.echo(f"Staff user {email} can log in.")

    @app.cli.command("create-api-token")
    @click.argument("name")
    def create_api_token(name: str) -> None:
        """Issue a bearer token for the JSON API; it is printed once and only its hash kept."""
        token_row, token = ApiToken.issue(name)
        db.session.add(token_row)
        db.session.commit()
        click.echo(token)

    @app.cli.command("demo-data")
    @click.option("--orders", default=400, show_default=True, help="How many orders to create.")
    @click.option("--if-empty", is_flag=True, help="Do nothing when there are orders already.")
    @click.option("--demo-login", is_flag=True,
                  help="Create the demo login even when other staff users exist.")
    def demo_data(orders: int, if_empty: bool, demo_login: bool) -> None:
        """Fill the database with a realistic store: regions, channels, customers and orders;
        create the demo login when the database has no staff user yet (or with --demo-login)."""
        from app.demo import load_demo_data

        if if_empty and db.session.scalar(select(func.count()).select_from(Order)):
            click.echo("Orders exist already; demo data not loaded.")
        else:
            load_demo_data(orders=orders, progress=click.echo)
        user = db.session.scalar(select(User).where(User.email == DEMO_EMAIL))
        if user is None:
            # Its password is in the README: never added beside real logins unless asked.
            if not demo_login and db.session.scalar(select(func.count()).select_from(User)):
                click.echo("Staff users exist, so no demo login was created "
                           "(--demo-login creates it).")  # fmt: skip
                return
            user = User(email=DEMO_EMAIL, name="Demo staff")
            user.set_password(DEMO_PASSWORD)
            db.session.add(user)
            db.session.commit()
        click.echo(f"Demo login: {DEMO_EMAIL} / {DEMO_PASSWORD}")

    @app.cli.command("worker")
    @click.option("--once", is_flag=True, help="Deliver what is due, then stop.")
    @click.option("--idle", default=1.0, help="Seconds to wait when nothing is due.")
    def worker(once: bool, idle: float) -> None:
        """Deliver the outbox's events to their subscribers, retrying failed ones; for
        deployments that set OUTBOX_DELIVERY=worker (several workers may run at once)."""
        while True:
            delivered = deliver_pending()
            if delivered:
                click.echo(f"Delivered {delivered} event(s).")
            if once:
                return
            if not delivered:
                time.sleep(idle)
