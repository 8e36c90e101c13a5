"""Refusals that hold for every request, before any view reads it."""

from __future__ import annotations

from flask import Flask, request
from werkzeug.exceptions import BadRequest


class FieldRefused(BadRequest):
    """A 400 about one field of the request, which the API names among its ``errors``."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(description=f"The field “{field}” {message}.")
        self.field = field
        self.message = message


def refuse_nul_characters() -> None:
    """Answer 400 when a query argument or form field holds a NUL character: no person types
    one, and PostgreSQL cannot store it in text, so it would fail deep in a write."""
    for values in (request.args, request.form):
        for key, value in values.items(multi=True):
            if "\x00" in key or "\x00" in value:
                raise FieldRefused(key.replace("\x00", ""),
                                   "holds a NUL character, which no text may contain")  # fmt: skip


def install(app: Flask) -> None:
    app.before_request(refuse_nul_characters)
