"""Email through SMTP at ``SMTP_HOST:SMTP_PORT``; with no host set, the message is logged. And
the addresses of the app's pages that emails link to."""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage
from urllib.parse import urlsplit

from flask import current_app, has_request_context, url_for

log = logging.getLogger(__name__)


class NoPublicUrl(RuntimeError):
    """An email would link to the app, but nothing says where customers reach it."""


def public_url(endpoint: str, **values) -> str:
    """The full address of a page for an email: under ``PUBLIC_URL``, or, when that is not set,
    at the host of the request being answered (an email sent inline, after it). With neither
    (the outbox worker) ``NoPublicUrl`` is raised, so the delivery is retried and logged
    rather than sent with a link that goes nowhere."""
    public = current_app.config["PUBLIC_URL"]
    if public:
        base = urlsplit(public)
        adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/",
                                           url_scheme=base.scheme)  # fmt: skip
        return adapter.build(endpoint, values, force_external=True)
    if has_request_context():
        return url_for(endpoint, _external=True, **values)
    raise NoPublicUrl(
        "PUBLIC_URL is not set, and this email is not sent while answering a request: set "
        "PUBLIC_URL to where customers reach the app (https://orders.example.com)."
    )


def send_mail(to: str, subject: str, body: str, html: str | None = None) -> None:
    """Send an email of plain text, and with ``html`` an HTML version of the same text beside
    it (multipart/alternative: the reader's mail program shows one); an SMTP failure raises,
    so the outbox tries again later."""
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    if html is not None:
        message.add_alternative(html, subtype="html")
    host = current_app.config["SMTP_HOST"]
    if not host:
        log.info("No SMTP_HOST set; this email was not sent:\n%s", message)
        return
    with smtplib.SMTP(host, current_app.config["SMTP_PORT"], timeout=10) as smtp:
        smtp.send_message(message)
