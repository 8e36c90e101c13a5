"""Cursors no list handed out, for the tests of every list that pages by cursor."""

from __future__ import annotations

import base64

import pytest

#: A cursor that is not one, one as the lists wrote them before cursors were signed (readable,
#: but not ours), and one nested deeper than the JSON parser can recurse.
FORGED_CURSORS = [
    pytest.param("not-a-cursor", id="garbage"),
    pytest.param(base64.urlsafe_b64encode(b'["next","2026-01-01T00:00:00+00:00",1]').decode(),
                 id="unsigned"),  # fmt: skip
    pytest.param(base64.urlsafe_b64encode(b"[" * 100_000 + b"]" * 100_000).decode(),
                 id="nested"),  # fmt: skip
]
