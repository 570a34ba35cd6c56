"""Build envelopes, requests and allocations through the HTTP API, as a user would."""
import itertools

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
    """How many audit entries exist, as finance (or an auditor) sees them."""
    return ok(reader.get("/api/v1/audit?per_page=1"), 200)["total"]


def get(client, path):
    return ok(client.get(path), 200)


def list_total(client, path) -> int:
    return get(client, path)["total"]


def balances(finance, envelope_id=None, allocation_id=None, request_id=None) -> dict:
    """Everything a refusal must leave untouched, read through the API."""
    state = {"audit": audit_total(finance), "allocations": list_total(finance, "/api/v1/allocations"),
             "requests": list_total(finance, "/api/v1/requests")}
    if envelope_id is not None:
        env = get(finance, f"/api/v1/envelopes/{envelope_id}")
        state["envelope"] = (env["total"], env["allocated"], env["available"], len(env["decisions"]))
    if allocation_id is not None:
        alloc = get(finance, f"/api/v1/allocations/{allocation_id}")
        state["allocation"] = (alloc["amount"], alloc["committed"], alloc["spent"], alloc["available"],
                               len(alloc["adjustments"]))
    if request_id is not None:
        req = get(finance, f"/api/v1/requests/{request_id}")
        state["request"] = (req["status"], req["requested_total"], req["approved_total"], req["title"],
                            len(req["lines"]))
    return state


PDF_BYTES = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def upload(officer, request_id, data=PDF_BYTES, filename="bien-ban.pdf"):
    import io
    return officer.post(f"/api/v1/requests/{request_id}/documents",
                        data={"file": (io.BytesIO(data), filename)}, content_type="multipart/form-data")
