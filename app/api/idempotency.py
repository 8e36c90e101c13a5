"""``Idempotency-Key`` for the API's writes (DESIGN.md section 4): a request retried with the
key of an earlier one gets the earlier answer (status and body, with the header
``Idempotent-Replayed: true``) and changes nothing.

- The key is claimed (a committed row) before the view runs, so of two requests with one key
  only the first acts; the other, while the first is still being answered, gets 409 and may
  retry.
- The same key with another request (method, path, query or body) is refused with 422.
- Keys belong to the API token that sent them and are kept ``KEPT_FOR`` (24 hours); after that
  the key may be used again.
- A request that fails (an exception, or an answer of 500 or more) releases its key, after
  rolling back what its view had not committed, so a retry acts again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import timedelta
from functools import wraps

from flask import Response, current_app, g, request
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException

from app.api.errors import ApiError, error_response
from app.api.models import IdempotencyKey
from app.db_types import utcnow
from app.extensions import db
from app.orders.import_payload import text_problem

HEADER = "Idempotency-Key"
KEPT_FOR = timedelta(hours=24)
MAX_KEY_LENGTH = 255


def idempotent(view: Callable) -> Callable:
    """Make an API view answer a retried request (same ``Idempotency-Key``) as it answered
    the first time, instead of acting again. Requests without the header are not changed."""

    @wraps(view)
    def answer_once(*args, **kwargs):
        key = _key()
        max_bytes = current_app.config["IMPORT_MAX_BYTES"]
        # A body over the limit is refused by the view itself, before it is read.
        if key is None or (request.content_length or 0) > max_bytes:
            return view(*args, **kwargs)
        request.max_content_length = max_bytes  # a body sent without a length is cut off
        fingerprint = _fingerprint()
        if not _claim(key, fingerprint):
            return _replay(db.session.scalar(_this_key(key)), fingerprint)
        try:
            response = current_app.make_response(_view_answer(view, args, kwargs))
        except BaseException:
            db.session.rollback()
            _release(key)
            raise
        if response.status_code >= 500:
            db.session.rollback()
            _release(key)
        else:
            # The views commit or roll back their own change before they answer.
            _keep(key, response)
        return response

    return answer_once


def _key() -> str | None:
    key = request.headers.get(HEADER)
    if key is None:
        return None
    key = key.strip()
    if not 1 <= len(key) <= MAX_KEY_LENGTH:
        raise ApiError(400, f"The {HEADER} header must hold 1 to {MAX_KEY_LENGTH} characters.")
    if problem := text_problem(key):
        raise ApiError(400, f"The {HEADER} header {problem}.",
                       errors=[{"field": HEADER, "message": problem}])  # fmt: skip
    return key


def _fingerprint() -> str:
    digest = hashlib.sha256()
    for part in (request.method.encode(), request.path.encode(), request.query_string,
                 request.get_data()):  # fmt: skip
        digest.update(len(part).to_bytes(8, "big") + part)
    return digest.hexdigest()


def _this_key(key: str):
    return select(IdempotencyKey).where(
        IdempotencyKey.api_token_id == g.api_token.id, IdempotencyKey.key == key
    )


def _claim(key: str, fingerprint: str) -> bool:
    """Claim the key for this request (committed); False when an earlier request holds it."""
    now = utcnow()
    db.session.execute(delete(IdempotencyKey).where(IdempotencyKey.created_at <= now - KEPT_FOR))
    db.session.add(IdempotencyKey(api_token_id=g.api_token.id, key=key,
                                  request_hash=fingerprint, created_at=now))  # fmt: skip
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return False
    return True


def _replay(first: IdempotencyKey | None, fingerprint: str) -> Response:
    """The first request's answer; or why there is none to give (``first`` is None when that
    request failed and released the key a moment ago)."""
    if first is not None and first.request_hash != fingerprint:
        return error_response(
            422, f"This {HEADER} was sent with another request; use a new key for a new "
            "request.", errors=[{"field": HEADER, "message": "belongs to another request"}],
        )  # fmt: skip
    if first is None or first.status_code is None:
        return error_response(
            409, f"A request with this {HEADER} is still being answered; retry it shortly.",
            headers={"Retry-After": "1"},
        )  # fmt: skip
    return Response(first.response_body, first.status_code, mimetype="application/json",
                    headers={"Idempotent-Replayed": "true"})  # fmt: skip


def _view_answer(view: Callable, args, kwargs):
    """The view's answer, with the API's error answers as answers too (they are kept)."""
    try:
        return view(*args, **kwargs)
    except (ApiError, HTTPException) as error:
        return current_app.handle_user_exception(error)


def _keep(key: str, response: Response) -> None:
    claim = db.session.scalar(_this_key(key))
    claim.status_code = response.status_code
    claim.response_body = response.get_data(as_text=True)
    db.session.commit()


def _release(key: str) -> None:
    db.session.execute(delete(IdempotencyKey).where(
        IdempotencyKey.api_token_id == g.api_token.id, IdempotencyKey.key == key))  # fmt: skip
    db.session.commit()
