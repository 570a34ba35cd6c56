"""Shared API plumbing: the blueprint class, the list envelope, pagination, bearer-only actors."""
import functools
import http
from datetime import UTC

import flask_smorest
from apispec import BasePlugin
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
            documented = view
            for status in sorted(wanted, reverse=True):
                if status == 409:
                    description = "Vi phạm quy tắc nghiệp vụ: " + ", ".join(f"`{c}`" for c in conflicts) + "."
                else:
                    description = ERROR_DESCRIPTIONS.get(status, http.HTTPStatus(status).phrase)
                documented = self.alt_response(status, schema=ErrorOut, description=description)(documented)
            # alt_response documents through a wrapper that only calls the view: keep its document and
            # not the wrapper, which every request would go through (three or four calls deep) for nothing.
            view._apidoc = documented._apidoc
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
    """`{"items": [...], "total", "total_estimated", "page", "per_page"}` for one item schema (one class
    per item)."""
    name = item_schema.__name__.removesuffix("Schema").removesuffix("Out") + "ListSchema"
    if name not in _list_schemas:
        _list_schemas[name] = type(name, (Schema,), {
            "items": fields.List(fields.Nested(item_schema)),
            "total": fields.Integer(),
            "total_estimated": fields.Boolean(metadata={
                "description": "true khi total là số ước tính (danh sách quá LIST_EXACT_COUNT_LIMIT dòng, "
                               "PostgreSQL); false khi là số đếm chính xác"}),
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


# --- rules the OpenAPI document states beyond what apispec reads from the fields ------------------

_MONTH_DAYS = (r"(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\d|3[01])|(?:0[469]|11)-(?:0[1-9]|[12]\d|30)"
               r"|02-(?:0[1-9]|1\d|2[0-8]))")
# a real calendar day from 2000-01-01 to 2100-12-31 (2000 is a leap year, 2100 is not)
DAY_PATTERN = rf"^(?:(?:20\d\d|2100)-{_MONTH_DAYS}|20(?:[02468][048]|[13579][26])-02-29)$"


def day2properties(self, field, ret, **kwargs) -> dict:
    """A `Day` is documented by its pattern: a real day between 2000 and 2100 (`format: date` alone
    would promise 0001-9999 and 31/02)."""
    from app.core.dates import Day
    if isinstance(field, Day):
        ret.pop("format", None)
        return {"pattern": DAY_PATTERN, "description": ret.get("description")
                or "Ngày YYYY-MM-DD, từ 2000-01-01 đến 2100-12-31."}
    return {}


class SchemaRules(BasePlugin):
    """A schema class's `OPENAPI` dict (e.g. `{"minProperties": 1}` for a PATCH that needs one field)
    goes into its component."""

    def schema_helper(self, name, definition, **kwargs):
        schema = kwargs.get("schema")
        if isinstance(schema, str) or schema is None:
            return None
        cls = schema if isinstance(schema, type) else type(schema)
        return dict(getattr(cls, "OPENAPI", {})) or None


# OpenAPI links from an operation that creates a record to the operations that act on it: the id in
# the 201 body is the path parameter of the next step (clients, and schemathesis' stateful tests).
LINKS = {
    "/api/v1/requests": ("request_id", ["get", "patch", "submit", "withdraw", "documents"]),
    "/api/v1/envelopes": ("envelope_id", ["get", "supplements"]),
    "/api/v1/allocations": ("allocation_id", ["get", "adjustments"]),
    "/api/v1/transfers": ("transfer_id", ["get"]),
    "/api/v1/suppliers": ("supplier_id", ["get", "patch"]),
    "/api/v1/commissions": ("commission_id", ["get", "approve", "reject", "sign", "cancel"]),
    "/api/v1/expenditures": ("expenditure_id", ["get", "reverse", "treasury.pdf"]),
    "/api/v1/users": ("user_id", ["get", "patch", "password", "unlock", "sessions/revoke"]),
}


def _pointer(path: str, method: str) -> str:
    return "#/paths/" + path.replace("~", "~0").replace("/", "~1") + "/" + method


def add_links(document: dict) -> dict:
    """Each creating operation's 201 answer links to its record's operations (only those that exist)."""
    paths = document.get("paths", {})
    for created, (parameter, actions) in LINKS.items():
        answer = paths.get(created, {}).get("post", {}).get("responses", {}).get("201")
        if answer is None:
            continue
        record = f"{created}/{{{parameter}}}"
        links = {}
        for action in actions:
            path, method = (record, action) if action in ("get", "patch") else (f"{record}/{action}", None)
            method = method or ("get" if action.endswith((".pdf", "documents")) and "post" not in paths.get(path, {})
                                else "post")
            if method in paths.get(path, {}):
                name = action.replace("/", "_").replace(".", "_")
                links[name] = {"operationRef": _pointer(path, method),
                               "parameters": {parameter: "$response.body#/id"}}
        if links:
            answer["links"] = links
    return document


def document_rules(api) -> None:
    """Teach the API's spec the rules above (after `api.init_app`)."""
    api.ma_plugin.converter.add_attribute_function(day2properties)
    plugin = SchemaRules()
    plugin.init_spec(api.spec)
    api.spec.plugins.append(plugin)
    to_dict = api.spec.to_dict
    api.spec.to_dict = lambda: add_links(to_dict())


def api_actor():
    """The bearer-token user of this API request (the session cookie is never used here)."""
    actor = current_user._get_current_object()
    if not actor.is_authenticated:
        raise Unauthenticated("Cần gửi token hợp lệ trong header Authorization: Bearer <token>.")
    return actor
