"""Idempotency keys (DESIGN §5 rule 8): `@idempotent(scope)` on any creating API operation.

The key row is inserted *before* the work, inside a savepoint. A concurrent twin blocks on the
unique index until the first transaction ends: if it committed, the twin replays its response;
if it rolled back (the request failed), the twin simply does the work itself.
"""
import functools
import hashlib
import json
from copy import deepcopy

import sqlalchemy as sa
from flask import jsonify, request
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from app.core.audit import canonical_json
from app.core.exceptions import IdempotencyConflict, ValidationFailed
from app.core.models import Described
from app.core.timeutil import utcnow
from app.extensions import db

MAX_KEY_LENGTH = 200


class IdempotencyRecord(Described, db.Model):
    __tablename__ = "idempotency_keys"
    __described_by__ = ("scope", "user_id", "key")

    id = db.Column(db.Integer, primary_key=True)
    scope = db.Column(db.String(64), nullable=False)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False)
    key = db.Column(db.String(MAX_KEY_LENGTH), nullable=False)
    request_hash = db.Column(db.String(64), nullable=False)
    status_code = db.Column(db.Integer, nullable=True)
    response_body = db.Column(db.Text, nullable=True)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    __table_args__ = (db.UniqueConstraint("scope", "user_id", "key", name="uq_idempotency_keys_scope_user_key"),)


def body_fingerprint(body) -> str:
    return hashlib.sha256(canonical_json(body).encode("utf-8")).hexdigest()


# What `check_key` accepts, as the OpenAPI document states it: 1 to MAX_KEY_LENGTH printable characters
# (a header travels as Latin-1; leading and trailing spaces do not reach the app).
_KEY_CHAR = r"\x21-\x7e\xa1-\xac\xae-\xff"
KEY_SCHEMA = {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH,
              "pattern": rf"^[{_KEY_CHAR}](?:[ {_KEY_CHAR}]*[{_KEY_CHAR}])?$"}


def check_key(key: str | None, *, required: bool) -> str | None:
    if key is None or key == "":
        if required:
            raise ValidationFailed.field("Idempotency-Key", "Cần header Idempotency-Key.")
        return None
    if len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise ValidationFailed.field("Idempotency-Key", f"Idempotency-Key tối đa {MAX_KEY_LENGTH} ký tự in được.")
    return key


def claim(scope: str, user, key: str, body) -> IdempotencyRecord | tuple[int, dict]:
    """Claim the key for this request, or return (status, body) replayed from the first one."""
    fingerprint = body_fingerprint(body)
    record = IdempotencyRecord(scope=scope, user_id=user.id, key=key, request_hash=fingerprint)
    try:
        with db.session.begin_nested():
            db.session.add(record)
    except IntegrityError:
        existing = db.session.execute(
            sa.select(IdempotencyRecord).filter_by(scope=scope, user_id=user.id, key=key)
        ).scalar_one()
        if existing.request_hash != fingerprint:
            raise IdempotencyConflict(
                "Idempotency-Key này đã được dùng cho một yêu cầu có nội dung khác.",
                {"Idempotency-Key": ["Đã dùng cho nội dung khác."]},
            ) from None
        return existing.status_code, json.loads(existing.response_body)
    return record


def store_response(record: IdempotencyRecord, status_code: int, body: dict):
    record.status_code = status_code
    record.response_body = json.dumps(body, ensure_ascii=False, default=str)


def _replay(status_code: int, body: dict):
    response = jsonify(body)
    response.status_code = status_code
    return response


def idempotent(scope: str, *, required: bool):
    """Decorate a flask-smorest view, just above its `response` decorator (so it sees the dumped
    response): with an `Idempotency-Key`, the same key and body replay the first answer and create
    nothing; the same key with another body is refused; `required` makes the header compulsory."""
    def decorator(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            key = check_key(request.headers.get("Idempotency-Key"), required=required)
            if key is None:
                return view(*args, **kwargs)
            claimed = claim(scope, current_user, key, request.get_json(silent=True))
            if isinstance(claimed, tuple):
                return _replay(*claimed)
            response = view(*args, **kwargs)
            store_response(claimed, response.status_code, response.get_json())
            return response

        wrapper._apidoc = deepcopy(getattr(view, "_apidoc", {}))
        manual = wrapper._apidoc.setdefault("manual_doc", {})
        manual.setdefault("parameters", []).append({
            "in": "header", "name": "Idempotency-Key", "required": required, "schema": KEY_SCHEMA,
            "description": "Gửi lại cùng khóa và cùng nội dung trả lại kết quả lần đầu, không tạo thêm; "
                           "cùng khóa với nội dung khác bị từ chối (422 idempotency_conflict)."})
        return wrapper
    return decorator
