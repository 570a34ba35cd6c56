"""Shared API plumbing: the blueprint class, the list envelope, pagination, bearer-only actors."""
import functools
import http
from datetime import UTC

import flask_smorest
from flask import request
from flask_login import current_user
from marshmallow import Schema, fields, validate

from app.core.errors import ErrorOut
from app.core.exceptions import Unauthenticated
from app.core.lists import ListQuery
from app.extensions import db
from config import Config

_list_schemas: dict[str, type[Schema]] = {}


ERROR_DESCRIPTIONS = {
    400: "JSON sai cú pháp, lồng quá sâu hoặc chứa số quá dài (`bad_request`).",
    401: "Thiếu token hợp lệ, hoặc sai tên đăng nhập/mật khẩu (`unauthenticated`).",
    403: "Vai trò không được làm thao tác này (`forbidden`).",
    404: "Không có, hoặc là hồ sơ của đơn vị khác (`not_found`).",
    413: "Dữ liệu gửi lên quá lớn (`payload_too_large`).",
    422: "Dữ liệu không hợp lệ, lỗi theo từng trường (`validation_error`).",
    429: "Quá nhiều lần đăng nhập sai trong 15 phút (`too_many_attempts`).",
}


class Blueprint(flask_smorest.Blueprint):
    """flask-smorest's blueprint whose writes answer with what the database now holds, and whose
    operations document the errors they give.

    Guarded UPDATEs change rows behind the ORM's back, and the commit comes after the response is
    dumped: so after a write the session is flushed and expired, and the dump reads fresh rows.
    """

    def errors(self, *statuses: int, conflicts: tuple[str, ...] = (), public: bool = False):
        """Document an operation's error answers: 401 unless `public`, each status given, and 409
        with the machine codes in `conflicts`."""
        wanted = set(statuses) | ({409} if conflicts else set()) | (set() if public else {401})

        def decorator(view):
            for status in sorted(wanted, reverse=True):
                if status == 409:
                    description = "Vi phạm quy tắc nghiệp vụ: " + ", ".join(f"`{c}`" for c in conflicts) + "."
                else:
                    description = ERROR_DESCRIPTIONS.get(status, http.HTTPStatus(status).phrase)
                view = self.alt_response(status, schema=ErrorOut, description=description)(view)
            return view
        return decorator

    def response(self, status_code, schema=None, **kwargs):
        document_and_dump = super().response(status_code, schema, **kwargs)

        def decorator(view):
            @functools.wraps(view)
            def fresh(*args, **view_kwargs):
                result = view(*args, **view_kwargs)
                if request.method not in ("GET", "HEAD"):
                    db.session.flush()
                    db.session.expire_all()
                return result
            return document_and_dump(fresh)
        return decorator


class UtcDateTime(fields.DateTime):
    """Timestamps are stored as naive UTC; clients get them with their zone: `…Z`."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


class PageArgs(Schema):
    """The page of every list. Its sizes are the configuration's (`DEFAULT_PER_PAGE`, `MAX_PER_PAGE`),
    read when the schema is defined: the OpenAPI document publishes them."""

    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=10**9))
    per_page = fields.Integer(load_default=Config.DEFAULT_PER_PAGE,
                              validate=validate.Range(min=1, max=Config.MAX_PER_PAGE))


def list_schema(item_schema: type[Schema]) -> type[Schema]:
    """`{"items": [...], "total", "page", "per_page"}` for one item schema (one class per item)."""
    name = item_schema.__name__.removesuffix("Schema").removesuffix("Out") + "ListSchema"
    if name not in _list_schemas:
        _list_schemas[name] = type(name, (Schema,), {
            "items": fields.List(fields.Nested(item_schema)),
            "total": fields.Integer(),
            "page": fields.Integer(),
            "per_page": fields.Integer(),
        })
    return _list_schemas[name]


def paginate(query: ListQuery, args: dict) -> dict:
    """One page of a list query: two statements (plus its loads) whatever the page size."""
    return query.page(args["page"], args["per_page"])


def check_first(check):
    """Run an access check before the body is parsed (place it just under `route`): a caller who
    may not act hears 403 (or 404 for another unit's record) whatever they sent. `check` takes the
    actor and the path's arguments."""
    def decorator(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            check(api_actor(), **kwargs)
            return view(*args, **kwargs)
        return wrapper
    return decorator


def role_check(check):
    """`check_first` for a check of the actor's role alone."""
    return check_first(lambda actor, **_path: check(actor))


def loads(name: str, load):
    """Load the record the path names and check access, before the body is parsed (place it just
    under `route`), then hand the record to the handler as `name` in place of the path's arguments,
    so that it is read once (Indico's `_process_args`). `load(actor, **path)` returns the record or
    raises (403, or 404 for another unit's record)."""
    def decorator(view):
        @functools.wraps(view)
        def wrapper(*args, **path):
            return view(*args, **{name: load(api_actor(), **path)})
        return wrapper
    return decorator


def api_actor():
    """The bearer-token user of this API request (the session cookie is never used here)."""
    if not current_user.is_authenticated:
        raise Unauthenticated("Cần gửi token hợp lệ trong header Authorization: Bearer <token>.")
    return current_user._get_current_object()
