"""Email through SMTP at ``SMTP_HOST:SMTP_PORT``; with no host set, the message is logged."""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage

from flask import current_app

log = logging.getLogger(__name__)


def send_mail(to: str, subject: str, body: str) -> None:
    """Send a plain-text email; an SMTP failure raises, so the outbox tries again later."""
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    host = current_app.config["SMTP_HOST"]
    if not host:
        log.info("No SMTP_HOST set; this email was not sent:\n%s", message)
        return
    with smtplib.SMTP(host, current_app.config["SMTP_PORT"], timeout=10) as smtp:
        smtp.send_message(message)
