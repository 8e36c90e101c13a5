"""JSON errors for the API: every error is ``{"message": ..., ...}`` with its HTTP status."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request
from werkzeug.exceptions import HTTPException

from app.request_checks import FieldRefused


class ApiError(Exception):
    """An error answered as JSON: a status, a message, and any further fields (``errors``)."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None,
                 **fields: Any) -> None:  # fmt: skip
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}
        self.fields = fields


def error_response(status: int, message: str, headers: dict[str, str] | None = None,
                   **fields: Any) -> Response:  # fmt: skip
    """A JSON error answer."""
    response = jsonify(message=message, **fields)
    response.status_code = status
    response.headers.update(headers or {})
    return response


def _api_error(error: ApiError) -> Response:
    return error_response(error.status, error.message, error.headers, **error.fields)


def _http_error(error: HTTPException) -> Response:
    # Keep werkzeug's headers (Allow on a 405, for instance), answer in JSON.
    response = error.get_response()
    fields = {}
    if isinstance(error, FieldRefused):
        fields["errors"] = [{"field": error.field, "message": error.message}]
    body = error_response(error.code or 500, error.description or error.name, **fields)
    response.set_data(body.get_data())
    response.content_type = body.content_type
    return response


def register_error_handlers(bp: Blueprint) -> None:
    """Answer every error of the blueprint in JSON, including unknown routes under it."""
    bp.register_error_handler(ApiError, _api_error)
    bp.register_error_handler(HTTPException, _http_error)

    prefix = bp.url_prefix or ""

    def routing_error(error: HTTPException):
        # An unknown URL or method matches no view, so Flask asks the app's handlers, not the
        # blueprint's; answer in JSON for the API's paths and leave other paths alone.
        if request.path == prefix or request.path.startswith(prefix + "/"):
            if request.url_rule is None and error.code == 404:
                error.description = f"No API endpoint at {request.path}."
            return _http_error(error)
        return error

    bp.app_errorhandler(404)(routing_error)
    bp.app_errorhandler(405)(routing_error)
