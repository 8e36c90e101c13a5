"""Staff pages of claims."""

from __future__ import annotations

from flask import Blueprint
from flask_login import login_required

bp = Blueprint("claims", __name__)


@bp.before_request
@login_required
def require_staff() -> None:
    """Every claim page is for logged-in staff only."""
