"""Builders shared by every test area: real rows made through the services and the HTTP API."""
import itertools
import logging
import threading

from werkzeug.serving import make_server

from app.extensions import db

PASSWORD = "correct-horse-battery"


class World:
    """Makes units, users and tokens with the real services; returns plain values."""

    def __init__(self, app):
        self.app = app

    def unit(self, code, name=None, kind="department"):
        from app.units.services import create_unit
        with self.app.app_context():
            unit = create_unit(None, code=code, name=name or f"Đơn vị {code}", kind=kind)
            db.session.commit()
            return unit.id

    def user(self, username, role, unit_code=None, password=PASSWORD, full_name=None):
        from app.auth.services import create_user
        with self.app.app_context():
            user = create_user(None, username=username, password=password,
                               full_name=full_name or username.title(), role=role, unit_code=unit_code)
            db.session.commit()
            return user.id

    def token(self, username):
        from app.auth.services import get_user_by_username, issue_token
        with self.app.app_context():
            raw, _ = issue_token(get_user_by_username(username))
            db.session.commit()
            return raw


class ApiClient:
    """A test client that speaks JSON with a bearer token."""

    def __init__(self, client, token=None):
        self.client, self.token = client, token

    def _headers(self, headers=None):
        merged = dict(headers or {})
        if self.token:
            merged.setdefault("Authorization", f"Bearer {self.token}")
        return merged

    def get(self, path, **kw):
        return self.client.get(path, headers=self._headers(kw.pop("headers", None)), **kw)

    def post(self, path, json=None, **kw):
        return self.client.post(path, json=json, headers=self._headers(kw.pop("headers", None)), **kw)

    def patch(self, path, json=None, **kw):
        return self.client.patch(path, json=json, headers=self._headers(kw.pop("headers", None)), **kw)

    def delete(self, path, **kw):
        return self.client.delete(path, headers=self._headers(kw.pop("headers", None)), **kw)


class LiveServer:
    """The app served by werkzeug in a thread (request logs silenced)."""

    def __init__(self, app):
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.thread.join(timeout=5)


# --- budgets, built through the HTTP API as a user would ---------------------------------

YEAR = 2026
_codes = itertools.count(1)


def ok(response, status):
    assert response.status_code == status, (response.status_code, response.get_json())
    return response.get_json()


def envelope(finance, amount=1_000_000_000, *, code=None, year=YEAR, decision_date=None):
    return ok(finance.post("/api/v1/envelopes", json={
        "fiscal_year": year, "code": code or f"NKP-{next(_codes):03d}", "name": "Kinh phí truyền thông chính sách",
        "amount": amount, "decision_no": "123/QĐ-UBND", "decision_date": decision_date or f"{year}-01-10",
    }), 201)


def line(amount, category="press", quantity=1, description="Đặt hàng tin bài"):
    assert amount % quantity == 0
    return {"category": category, "description": description, "quantity": quantity,
            "unit_cost": amount // quantity}


def funding_request(officer, *lines, year=YEAR, title="Tuyên truyền chính sách năm 2026"):
    lines = list(lines) or [line(300_000_000, "press"), line(200_000_000, "training", quantity=4)]
    return ok(officer.post("/api/v1/requests", json={
        "fiscal_year": year, "title": title, "justification": "Theo văn bản của UBND tỉnh",
        "letter_no": "45/STP-VP", "lines": lines}), 201)


def submitted_request(officer, *lines, **kw):
    created = funding_request(officer, *lines, **kw)
    return ok(officer.post(f"/api/v1/requests/{created['id']}/submit"), 200)


def allocation_body(envelope_id, unit_code="STP", amount=100_000_000, *, request_id=None,
                    category="press", year=YEAR, decision_no="456/QĐ-STC"):
    body = {"envelope_id": envelope_id, "unit_code": unit_code, "category": category,
            "amount": amount, "decision_no": decision_no, "decision_date": f"{year}-03-15"}
    if request_id is not None:
        body["request_id"] = request_id
    return body


def allocation(finance, envelope_id, unit_code="STP", amount=100_000_000, **kw):
    return ok(finance.post("/api/v1/allocations", json=allocation_body(envelope_id, unit_code, amount, **kw)),
              201)


def adjustment(finance, allocation_id, amount, *, reason="Điều chỉnh dự toán", decision_no="789/QĐ-STC"):
    return finance.post(f"/api/v1/allocations/{allocation_id}/adjustments",
                        json={"amount": amount, "reason": reason, "decision_no": decision_no})


def audit_total(reader) -> int:
    """How many entries the audit trail holds, drafts' entries included (finance and auditors
    read those only once the request is submitted): one per change, none for a refusal."""
    import sqlalchemy as sa
    from app.core.audit import AuditEntry
    with reader.client.application.app_context():
        total = db.session.execute(sa.select(sa.func.count()).select_from(AuditEntry)).scalar_one()
        db.session.remove()
    return total


def get(client, path):
    return ok(client.get(path), 200)


def list_total(client, path) -> int:
    return get(client, path)["total"]


def balances(finance, envelope_id=None, allocation_id=None, request_id=None, owner=None) -> dict:
    """Everything a refusal must leave untouched, read through the API; a request is read by its
    `owner` unit's client when given (a draft is its unit's own, DESIGN §2), else by finance."""
    state = {"audit": audit_total(finance), "allocations": list_total(finance, "/api/v1/allocations"),
             "requests": list_total(finance, "/api/v1/requests")}
    if owner is not None:
        state["own_requests"] = list_total(owner, "/api/v1/requests")
    if envelope_id is not None:
        env = get(finance, f"/api/v1/envelopes/{envelope_id}")
        state["envelope"] = (env["total"], env["allocated"], env["available"], len(env["decisions"]))
    if allocation_id is not None:
        alloc = get(finance, f"/api/v1/allocations/{allocation_id}")
        state["allocation"] = (alloc["amount"], alloc["committed"], alloc["spent"], alloc["available"],
                               len(alloc["adjustments"]))
    if request_id is not None:
        req = get(owner or finance, f"/api/v1/requests/{request_id}")
        state["request"] = (req["status"], req["requested_total"], req["approved_total"], req["title"],
                            len(req["lines"]))
    return state


PDF_BYTES = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def upload(officer, request_id, data=PDF_BYTES, filename="bien-ban.pdf"):
    import io
    return officer.post(f"/api/v1/requests/{request_id}/documents",
                        data={"file": (io.BytesIO(data), filename)}, content_type="multipart/form-data")
