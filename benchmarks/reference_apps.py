"""The two reference apps that benchmarks/api.py serves beside the service (DESIGN §10).

`bare_app`: a Flask route that answers a small JSON object and touches no database (for scale).

`limit_app`: the "hand-written limit" for `GET /api/v1/allocations/<id>`: the same bearer-token
check as the service (sha256 of the token found in `api_tokens`, not revoked, not expired, its user
active, a role that handles money, the unit scope of `budgets.permissions.check_visible`) and the
same allocation read with hand-written SQL through the same driver (psycopg 3 on PostgreSQL,
sqlite3 on SQLite), answering the same JSON fields as `budgets.schemas.AllocationOut`. Three
statements per request (token, allocation joined to its envelope, unit and request, adjustments),
one connection per worker process kept open between requests (as the service's pool does), reads
in autocommit. It imports nothing from the project, so it measures only Flask, the driver and the
database. (The service, by contrast, pings the connection on checkout and, on SQLite, opens every
transaction, reads included, with BEGIN IMMEDIATE: see app/core/database.py.)

Served by gunicorn: `gunicorn reference_apps:limit_app` with `DATABASE_URL` set to
`sqlite:////path/file.db` or `postgresql://…`.
"""
import hashlib
import os
import sqlite3
from datetime import UTC, date, datetime

from flask import Flask, jsonify, request

MONEY_ROLES = ("finance_officer", "auditor", "unit_officer", "dic_officer")
READ_ALL_ROLES = ("finance_officer", "auditor")

bare_app = Flask("bare")


@bare_app.get("/ping")
def ping():
    return jsonify({"status": "ok"})


limit_app = Flask("limit")
_conn = None  # one connection per worker process


def _database_url() -> str:
    return os.environ["DATABASE_URL"]


def _is_sqlite() -> bool:
    return _database_url().startswith("sqlite")


def _connect():
    url = _database_url()
    if url.startswith("sqlite:///"):
        conn = sqlite3.connect(url[len("sqlite:///"):], isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA busy_timeout=30000")
        return conn
    import psycopg
    for prefix in ("postgresql+psycopg://", "postgres://"):
        if url.startswith(prefix):
            url = "postgresql://" + url[len(prefix):]
    return psycopg.connect(url, autocommit=True)


def _query(sql: str, params: tuple):
    global _conn
    if _conn is None:
        _conn = _connect()
    if not _is_sqlite():
        sql = sql.replace("?", "%s")
    try:
        return _conn.execute(sql, params).fetchall()
    except Exception:
        _conn = None  # a broken connection is not reused
        raise


def _now_param():
    now = datetime.now(UTC).replace(tzinfo=None)
    # SQLAlchemy stores SQLite DateTime as this text; PostgreSQL compares timestamps.
    return now.strftime("%Y-%m-%d %H:%M:%S.%f") if _is_sqlite() else now


def _as_datetime(value):
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def _as_date(value):
    return date.fromisoformat(value) if isinstance(value, str) else value


def _utc_text(value):
    value = _as_datetime(value)
    return value.replace(tzinfo=UTC).isoformat().replace("+00:00", "Z")


def _error(code, message, status):
    response = jsonify({"error": code, "message": message, "details": {}})
    response.status_code = status
    return response


TOKEN_SQL = """
SELECT u.id, u.role, u.unit_id
FROM api_tokens t JOIN users u ON u.id = t.user_id
WHERE t.token_hash = ? AND t.revoked_at IS NULL AND t.expires_at > ? AND u.active
"""

ALLOCATION_SQL = """
SELECT a.id, a.envelope_id, e.code, e.fiscal_year, un.id, un.code, un.name, a.request_id, r.number,
       a.category, a.amount, a.committed, a.spent, a.decision_no, a.decision_date,
       a.chapter_code, a.type_code, a.item_code, a.section_code, a.subsection_code, a.unit_id,
       a.transferred, a.carried_over, a.cancelled, a.source_code
FROM allocations a
JOIN envelopes e ON e.id = a.envelope_id
JOIN units un ON un.id = a.unit_id
LEFT JOIN funding_requests r ON r.id = a.request_id
WHERE a.id = ?
"""

ADJUSTMENTS_SQL = """
SELECT id, amount, reason, decision_no, created_at FROM allocation_adjustments
WHERE allocation_id = ? ORDER BY id
"""


@limit_app.get("/api/v1/allocations/<int:allocation_id>")
def get_allocation(allocation_id):
    scheme, _, raw = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not raw.strip():
        return _error("unauthenticated", "Cần gửi token hợp lệ.", 401)
    digest = hashlib.sha256(raw.strip().encode("utf-8")).hexdigest()
    users = _query(TOKEN_SQL, (digest, _now_param()))
    if not users:
        return _error("unauthenticated", "Cần gửi token hợp lệ.", 401)
    _user_id, role, user_unit_id = users[0]
    if role not in MONEY_ROLES:
        return _error("forbidden", "Bạn không có quyền thực hiện thao tác này.", 403)
    rows = _query(ALLOCATION_SQL, (allocation_id,))
    if not rows or not (role in READ_ALL_ROLES or rows[0][20] == user_unit_id):
        return _error("not_found", "Không tìm thấy quyết định phân bổ.", 404)
    (id_, envelope_id, envelope_code, fiscal_year, unit_id, unit_code, unit_name, request_id,
     request_number, category, amount, committed, spent, decision_no, decision_date, chapter_code,
     type_code, item_code, section_code, subsection_code, _owner, transferred, carried_over, cancelled,
     source_code) = rows[0]
    adjustments = [
        {"id": adj_id, "amount": adj_amount, "reason": reason, "decision_no": adj_no,
         "created_at": _utc_text(created_at)}
        for adj_id, adj_amount, reason, adj_no, created_at in _query(ADJUSTMENTS_SQL, (id_,))
    ]
    return jsonify({
        "id": id_, "envelope_id": envelope_id, "envelope_code": envelope_code,
        "fiscal_year": fiscal_year, "unit": {"id": unit_id, "code": unit_code, "name": unit_name},
        "request_id": request_id, "request_number": request_number, "category": category,
        "amount": amount, "committed": committed, "spent": spent,
        "available": amount - committed - spent - carried_over - cancelled, "transferred": transferred,
        "carried_over": carried_over, "cancelled": cancelled, "decision_no": decision_no,
        "decision_date": _as_date(decision_date).isoformat(), "chapter_code": chapter_code,
        "type_code": type_code, "item_code": item_code, "section_code": section_code,
        "subsection_code": subsection_code, "source_code": source_code, "adjustments": adjustments,
    })
