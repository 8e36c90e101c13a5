"""Staff login and logout."""

from __future__ import annotations

import math
from datetime import datetime
from urllib.parse import urlsplit

from flask import Blueprint, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select

from app.auth import throttle
from app.auth.forms import LoginForm
from app.auth.logins import begin_login, end_login, load_login
from app.auth.models import User, password_matches
from app.db_types import utcnow
from app.extensions import db, login_manager

bp = Blueprint("auth", __name__)


@login_manager.user_loader
def load_user(login_token: str) -> User | None:
    # What Flask-Login stored is a login's token (User.get_id), not the user's id.
    return load_login(login_token)


def _safe_next(target: str | None) -> str:
    # Only local paths: a crafted ?next= must not send staff to another site.
    if target and urlsplit(target).netloc == "" and target.startswith("/"):
        return target
    return url_for("orders.list_orders")


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Log a member of staff in."""
    if current_user.is_authenticated:
        return redirect(url_for("orders.list_orders"))
    form = LoginForm()
    if form.validate_on_submit():
        # An address is at most 45 characters (IPv6 with an IPv4 tail).
        email, address = form.email.data.strip().lower(), (request.remote_addr or "")[:45]
        attempt = throttle.record_attempt(email, address)
        if (until := throttle.refused_until(attempt)) is not None:
            throttle.withdraw(attempt)
            return _too_many_attempts(form, until)
        user = db.session.scalar(select(User).where(User.email == email))
        if password_matches(user, form.password.data):
            throttle.forget_failures(email, address)
            begin_login(user, remember=form.remember.data)
            db.session.commit()
            login_user(user, remember=form.remember.data)
            return redirect(_safe_next(request.args.get("next")))
        flash("Wrong email or password.", "error")
        return render_template("auth/login.html", form=form), 401
    # A form sent with a field missing or too long is refused as such (its errors say why).
    return render_template("auth/login.html", form=form), 422 if form.errors else 200


def _too_many_attempts(form: LoginForm, until: datetime):
    """429 with the login form, saying when to try again (also in ``Retry-After``)."""
    seconds = max(1, math.ceil((until - utcnow()).total_seconds()))
    minutes = math.ceil(seconds / 60)
    flash(f"Too many failed logins for this account or from this address. Try again in "
          f"{minutes} minute{'s' if minutes != 1 else ''}.", "error")  # fmt: skip
    response = make_response(render_template("auth/login.html", form=form), 429)
    response.headers["Retry-After"] = str(seconds)
    return response


@bp.post("/logout")
@login_required
def logout():
    """Log out (a POST, so a link on another site cannot do it); the login ends on the
    server too, so a copy of this browser's cookies no longer logs anyone in."""
    end_login(current_user.get_id())
    db.session.commit()
    logout_user()
    flash("You are logged out.", "info")
    return redirect(url_for("auth.login"))


@bp.get("/")
def index():
    """The order list is the home page."""
    return redirect(url_for("orders.list_orders"))
