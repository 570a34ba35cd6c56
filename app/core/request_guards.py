"""Checks every request passes before a handler sees it, in this order: size, who, then content.

An anonymous caller hears 401 before its body is read, a JSON body is capped well below the upload
limit, and input that no column can hold (NUL, lone surrogates) or that Python cannot even parse
(integers of more than 4,300 digits) answers 4xx instead of a 500 further on.
"""
import json

from flask import current_app, request
from flask_login import current_user
from werkzeug.routing import IntegerConverter

from app.core.errors import render_error
from app.core.exceptions import HeadersTooLarge, RequestLineTooLong, Unauthenticated, UnsupportedMediaType

# Identifiers are 32-bit on PostgreSQL: a larger id names no record, so it matches no route (404).
MAX_ID = 2**31 - 1
PUBLIC_API = {("/api/v1/auth/token", "POST"), ("/api/v1/openapi.json", "GET"),
              ("/api/v1/openapi.json", "HEAD")}
UNSTORABLE_MESSAGE = "Dữ liệu chứa ký tự không hợp lệ (ký tự NUL hoặc mã Unicode lỗi)."
BAD_NUMBER_MESSAGE = "Nội dung JSON chứa số quá dài."


class IdConverter(IntegerConverter):
    """`<int:…>` in every route: non-negative and at most MAX_ID, else the route does not match."""

    def __init__(self, map, *args, **kwargs):  # noqa: A002 - werkzeug's parameter name
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)

    @staticmethod
    def parameter_schema(converter) -> dict:
        """How OpenAPI documents such a path parameter."""
        return {"type": "integer", "format": "int32", "minimum": 0, "maximum": converter.max}


# The request line and headers the app accepts. gunicorn.conf.py lets longer ones through to the app
# (up to gunicorn's own 1 MB line and 64 KB field), so that the refusal is the contract's JSON body.
MAX_TARGET_CHARS = 8190        # path and query string, as sent
MAX_HEADER_FIELD_BYTES = 8190  # one header's name and value
MAX_HEADER_FIELDS = 100


def _header_fields(environ):
    """(environ name without its HTTP_ prefix, value) of each header werkzeug's request.headers lists,
    read off the environ without building the headers object (this runs on every request). The name
    has the header's length: `Content-Type` is `CONTENT_TYPE`."""
    for key, value in environ.items():
        if key.startswith("HTTP_"):
            if key not in ("HTTP_CONTENT_TYPE", "HTTP_CONTENT_LENGTH"):
                yield key[5:], value
        elif key in ("CONTENT_TYPE", "CONTENT_LENGTH") and value:
            yield key, value


def cap_request_line_and_headers():
    """A path and query over MAX_TARGET_CHARS is 414; a header over MAX_HEADER_FIELD_BYTES, or more
    than MAX_HEADER_FIELDS of them, is 431 — on the API as its JSON error, on pages as the error page."""
    req = request._get_current_object()  # one context lookup for the whole check
    environ = req.environ
    target = environ.get("RAW_URI") or environ.get("REQUEST_URI") or req.full_path
    if len(target) > MAX_TARGET_CHARS:
        raise RequestLineTooLong(f"Địa chỉ yêu cầu dài quá {MAX_TARGET_CHARS} ký tự.",
                                 {"url": [f"{len(target)} ký tự"]})
    count, too_long = 0, None
    for key, value in _header_fields(environ):
        count += 1
        if too_long is None and len(key) + len(value) > MAX_HEADER_FIELD_BYTES:
            too_long = (key.replace("_", "-").title(), value)  # as werkzeug spells the header
    if count > MAX_HEADER_FIELDS:
        raise HeadersTooLarge(f"Yêu cầu có quá {MAX_HEADER_FIELDS} header.", {"headers": [str(count)]})
    if too_long is not None:
        name, value = too_long
        raise HeadersTooLarge(f"Header “{name[:60]}” dài quá {MAX_HEADER_FIELD_BYTES} byte.",
                              {name[:60]: [f"{len(value)} byte"]})


def cap_body_size():
    """Uploads may reach MAX_CONTENT_LENGTH; anything else (JSON, forms) stops at MAX_JSON_BYTES."""
    req = request._get_current_object()
    if req.mimetype != "multipart/form-data":
        req.max_content_length = current_app.config["MAX_JSON_BYTES"]


def _api_route(req) -> bool:
    """An API request that matched a route (an unmatched one is answered 404 or 405 as it is)."""
    return req.path.startswith("/api/") and req.url_rule is not None


def api_needs_token():
    req = request._get_current_object()
    if not _api_route(req):
        return
    if req.method == "OPTIONS" or (req.path, req.method) in PUBLIC_API:
        return
    if not current_user.is_authenticated:
        raise Unauthenticated("Cần gửi token hợp lệ trong header Authorization: Bearer <token>.")


BODY_TYPES = ("application/json", "multipart/form-data")  # JSON, and the uploads of documents


def api_body_is_json():
    """A body sent to the API that is not JSON (text/plain, a form, no type at all) is refused with
    415, rather than read as empty and answered "every field missing"."""
    req = request._get_current_object()
    if req.method not in ("POST", "PUT", "PATCH") or not _api_route(req):
        return
    sends_body = req.content_length or "chunked" in req.headers.get("Transfer-Encoding", "")
    if not sends_body or req.mimetype in BODY_TYPES or req.is_json:
        return
    raise UnsupportedMediaType(
        f"Nội dung gửi lên phải là JSON (Content-Type: application/json), không phải "
        f"“{req.mimetype or 'không khai báo'}”.", {"Content-Type": [req.mimetype or ""]})


def _unstorable(text: str) -> bool:
    """NUL (PostgreSQL's text refuses it) or a lone surrogate (not encodable as UTF-8)."""
    if "\x00" in text:
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def unstorable_field(data) -> str | None:
    """The top-level field of a parsed JSON body whose text (at any depth) cannot be stored."""
    roots = list(data.items()) if isinstance(data, dict) else [("_schema", data)]
    for name, value in roots:
        if isinstance(name, str) and _unstorable(name):
            return "_schema"
        stack = [value]  # iterative: a deep but parsable body must not overflow the stack here
        while stack:
            item = stack.pop()
            if isinstance(item, str):
                if _unstorable(item):
                    return name
            elif isinstance(item, dict):
                stack.extend(item.keys())
                stack.extend(item.values())
            elif isinstance(item, list):
                stack.extend(item)
    return None


def _parsed_json():
    """The body as JSON, or a 400 response: malformed text, nesting too deep, or an integer longer
    than Python converts (CVE-2020-10735's limit) all fail here, before any schema runs."""
    data = request.get_data(cache=True)
    try:
        return json.loads(data.decode("utf-8")), None
    except (json.JSONDecodeError, UnicodeDecodeError):
        message = "Nội dung JSON không hợp lệ."
    except RecursionError:
        message = "Nội dung JSON lồng nhau quá sâu."
    except ValueError:
        message = BAD_NUMBER_MESSAGE
    return None, render_error(400, "bad_request", message, {"json": [message]})


FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def refuse_unstorable_input():
    req = request._get_current_object()
    mimetype = req.mimetype
    if req.is_json and req.content_length != 0 and req.get_data(cache=True):
        data, refusal = _parsed_json()
        if refusal is not None:
            return refusal
        field = unstorable_field(data)
        if field is not None:
            return render_error(422, "validation_error", UNSTORABLE_MESSAGE, {field: [UNSTORABLE_MESSAGE]})
    sources = (req.args, req.form) if mimetype in FORM_TYPES else (req.args,)
    for source in sources:  # a request without a form body has no form to parse
        for key, value in source.items(multi=True):
            if _unstorable(key) or _unstorable(value):
                name = "_schema" if _unstorable(key) else key
                return render_error(422, "validation_error", UNSTORABLE_MESSAGE, {name: [UNSTORABLE_MESSAGE]})
    return None
