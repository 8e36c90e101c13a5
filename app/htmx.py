"""Helpers for htmx requests: one view serves both the full page and its fragment."""

from __future__ import annotations

from flask import Response, make_response, request
from jinja2_fragments.flask import render_block


def is_htmx() -> bool:
    """The request came from htmx and wants a fragment. A history restore (back button with a
    cold cache) and a boosted link want the whole page."""
    headers = request.headers
    return (
        headers.get("HX-Request") == "true"
        and not headers.get("HX-Boosted")
        and not headers.get("HX-History-Restore-Request")
    )


def render_page_or_block(template: str, block: str, status: int = 200, **context) -> Response:
    """The whole page for a browser, only ``block`` of it for htmx; the markup exists once."""
    from flask import render_template

    if is_htmx():
        body = render_block(template, block, **context)
    else:
        body = render_template(template, **context)
    response = make_response(body, status)
    # Caches must not hand a fragment to a full-page request or the other way round.
    response.vary.add("HX-Request")
    return response
