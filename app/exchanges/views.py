"""Staff pages of exchanges."""

from __future__ import annotations

from flask import Blueprint
from flask_login import login_required

bp = Blueprint("exchanges", __name__)


@bp.before_request
@login_required
def require_staff() -> None:
    """Every exchange page is for logged-in staff only."""
