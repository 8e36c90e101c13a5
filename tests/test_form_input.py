"""Odd input the app once failed on (a 5xx, or a refusal answered as if it had been done),
each with the answer it gets now: a refusal that says why and saves nothing."""

from __future__ import annotations

import re
from html import unescape

from tests.conftest import STAFF_EMAIL


def refusal_message(response) -> str:
    """What an answer says went wrong: the API's ``message``, a page's alert or field error,
    or the text of a plain error page ("" when it says nothing)."""
    if response.is_json:
        return str((response.get_json(silent=True) or {}).get("message") or "")
    page = response.get_data(as_text=True)
    said = re.findall(r'role="alert"[^>]*>(.*?)</(?:p|div|span)>', page, re.S)
    said += re.findall(r"</h1>\s*<p>(.*?)</p>", page, re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", "", text)).strip() for text in said).strip()


# What sending odd values found: each was a 5xx, or a refusal answered as if it had been done


def test_a_login_form_with_a_field_missing_is_refused_as_such(client, staff_user):
    # It was answered 200, as if the login had gone through.
    response = client.post("/login", data={"email": STAFF_EMAIL})
    assert response.status_code == 422
    assert refusal_message(response) == "This field is required."
