"""Security headers on every answer of the app.

The Content-Security-Policy allows scripts and styles only from the app's own files: htmx and
``static/js`` run, an injected ``<script>``, ``onclick="..."`` or ``style="..."`` does not
(the templates have none; htmx's own indicator ``<style>`` is switched off in base.html's
``htmx-config``). Images may also come from ``https:`` (imported orders and products name
thumbnails on other sites) and ``data:`` (the blank favicon). No other site may frame a page
(``frame-ancestors``, and ``X-Frame-Options`` for older browsers), and none is told which
page a link was followed from. A page may set a header of its own first, which is kept: the
customer's order-edit page (``app.changes.customer_views``), whose address holds a token, sends
no referrer at all and asks not to be indexed.

Staff pages and API answers hold customer data, so browsers and proxies must not store them
(``Cache-Control: no-store``); static files keep the caching Flask gives them.
"""

from __future__ import annotations

from flask import Flask, Response, request

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' https: data:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])  # fmt: skip

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def install(app: Flask) -> None:
    @app.after_request
    def add_security_headers(response: Response) -> Response:
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if request.endpoint != "static":
            response.headers.setdefault("Cache-Control", "no-store")
        return response
