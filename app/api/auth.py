"""Bearer tokens: every API request names a live token in ``Authorization: Bearer <token>``."""

from __future__ import annotations

from flask import g, request

from app.api.errors import ApiError
from app.auth.models import ApiToken


def require_token() -> None:
    """Refuse the request (401) unless it carries a live API token; remember the token."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(
            401,
            "Send an API token in the header Authorization: Bearer <token>.",
            headers={"WWW-Authenticate": "Bearer"},
        )
    api_token = ApiToken.find(token.strip())
    if api_token is None:
        raise ApiError(
            401,
            "The API token is unknown or revoked.",
            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
        )
    g.api_token = api_token


def current_actor() -> str:
    """Who the timeline says did it: ``api:<token name>``."""
    return f"api:{g.api_token.name}"
