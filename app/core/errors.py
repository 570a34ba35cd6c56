"""The one place that turns every error into a response.

Under /api/ the body is DESIGN §6's `{"error", "message", "details"}`; elsewhere a Vietnamese page.
Domain errors themselves live in `app.core.exceptions`, which knows nothing of the web. Rolling the
transaction back is the commit point's job (`app.core.transaction`), not the handlers'.
"""
import logging

from flask import jsonify, render_template, request
from flask_babel import gettext
from flask_smorest import Api
from marshmallow import Schema, fields
from sqlalchemy.exc import DataError, IntegrityError
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from app.core.exceptions import DomainError
from app.core.i18n import N_

log = logging.getLogger(__name__)


HTTP_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "too_many_attempts",
}

HTTP_MESSAGES = {
    400: "Yêu cầu không hợp lệ (JSON sai cú pháp hoặc tham số sai).",
    401: "Cần đăng nhập.",
    403: "Bạn không có quyền thực hiện thao tác này.",
    404: "Không tìm thấy.",
    405: "Phương thức không được hỗ trợ.",
    413: "Dữ liệu gửi lên quá lớn.",
    422: "Dữ liệu không hợp lệ.",
    500: "Lỗi hệ thống. Vui lòng thử lại sau.",
}


def wants_json() -> bool:
    return request.path.startswith("/api/")


def error_body(code: str, message: str, details: dict | None = None):
    return {"error": code, "message": message, "details": details or {}}


def _flatten_webargs_messages(messages) -> dict:
    """webargs nests errors by location ({"json": {...}, "query": {...}}); clients want fields."""
    if not isinstance(messages, dict):
        return {"_schema": messages if isinstance(messages, list) else [str(messages)]}
    details = {}
    for location, errors in messages.items():
        if isinstance(errors, dict):
            details.update(errors)
        else:
            details[location] = errors
    return details


def render_error(status: int, code: str, message: str, details: dict | None = None):
    if wants_json():
        response = jsonify(error_body(code, message, details))
        response.status_code = status
        return response
    template = "errors/error.html"
    # A page speaks the reader's language: a message the catalogue knows (the fixed ones, such as
    # the refusal of access) is translated; the API keeps the contract's Vietnamese text.
    return render_template(template, status=status, message=gettext(message) if message else message,
                           title=STATUS_TITLES.get(status), details=details or {}), status


STATUS_TITLES = {400: N_("Yêu cầu không hợp lệ"), 401: N_("Cần đăng nhập"), 403: N_("Không có quyền"),
                 404: N_("Không tìm thấy"), 409: N_("Không thực hiện được"), 413: N_("Tệp quá lớn"),
                 414: N_("Địa chỉ quá dài"),
                 415: N_("Kiểu dữ liệu không được hỗ trợ"), 422: N_("Dữ liệu chưa hợp lệ"),
                 429: N_("Quá nhiều yêu cầu"), 431: N_("Phần đầu yêu cầu quá lớn"), 500: N_("Lỗi hệ thống")}


class ErrorOut(Schema):
    """Every error answer of the API (DESIGN §6)."""

    error = fields.String(required=True, metadata={"description": "Mã máy: `not_found`, `insufficient_funds`, …"})
    message = fields.String(required=True, metadata={"description": "Thông báo cho người dùng (tiếng Việt)."})
    details = fields.Dict(keys=fields.String(), required=True,
                          metadata={"description": "Lỗi theo từng trường: {trường: [lý do]}."})


class ApiWithContractErrors(Api):
    """flask-smorest's Api whose HTTP error handler speaks DESIGN §6 and HTML outside /api/, and
    whose document describes that body as the error schema."""

    ERROR_SCHEMA = ErrorOut

    def handle_http_exception(self, error: HTTPException):
        status = error.code or 500
        code = HTTP_CODES.get(status, "error")
        message = HTTP_MESSAGES.get(status, error.description or "")
        details = {}
        data = getattr(error, "data", None) or {}
        if "messages" in data:
            details = _flatten_webargs_messages(data["messages"])
        if status == 400 and data.get("exc") is not None:
            message = "Nội dung JSON không hợp lệ."
        if status == 400 and not wants_json():
            # On pages a 400 is nearly always a form whose CSRF token expired with its session.
            message = "Biểu mẫu đã hết hạn hoặc yêu cầu không hợp lệ. Vui lòng tải lại trang và thử lại."
        if status >= 500:
            log.exception("unhandled error", exc_info=error)
        response = render_error(status, code, message, details)
        headers = dict(data.get("headers") or {})
        if isinstance(error, MethodNotAllowed) and error.valid_methods:
            headers.setdefault("Allow", ", ".join(error.valid_methods))  # RFC 9110 requires it on 405
        if isinstance(response, tuple):
            return response[0], response[1], headers
        response.headers.extend(headers)
        return response


def escaped(database_error) -> str:
    """The database's message on one line: PostgreSQL's DETAIL quotes the values a client sent, line
    breaks included, and a value must not be able to forge a log line (the login log does the same)."""
    return repr(str(database_error))


def register_error_handlers(app):
    @app.errorhandler(DomainError)
    def _domain_error(error: DomainError):
        return render_error(error.status, error.code, error.message, error.details)

    @app.errorhandler(IntegrityError)
    def _integrity_error(error: IntegrityError):
        # The database's own constraints are the last line behind the services' checks
        # (for instance two requests racing for one unique key): refuse, never 500.
        log.warning("integrity error: %s", escaped(error.orig))
        return render_error(409, "rule_violation",
                            "Thao tác vi phạm ràng buộc dữ liệu (có thể do một thao tác đồng thời). Vui lòng thử lại.")

    @app.errorhandler(DataError)
    def _data_error(error: DataError):
        # A value the database cannot hold (out of range, too long, a NUL byte on PostgreSQL) is bad
        # input that slipped past the schemas: refuse it, never 500.
        log.warning("data error: %s", escaped(error.orig))
        return render_error(422, "validation_error", HTTP_MESSAGES[422])

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):  # HTTPExceptions go to the Api's more specific handler
        log.exception("unhandled error")
        return render_error(500, "internal_error", HTTP_MESSAGES[500])
