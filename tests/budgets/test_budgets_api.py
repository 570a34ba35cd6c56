"""Envelopes, requests and allocations over the HTTP API: the journeys, filters, audit and idempotency."""
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from app.core.database import engines
from tests import support
from tests.fixtures.worlds import build_world, saved_world

# --- envelopes ------------------------------------------------------------------------------

def test_envelope_create_read_and_supplement(roles):
    finance = roles["finance"]
    env = support.envelope(finance, 1_000_000_000, code="tt-cs")
    assert env["code"] == "TT-CS" and env["fiscal_year"] == 2026
    assert (env["total"], env["allocated"], env["available"]) == (1_000_000_000, 0, 1_000_000_000)
    assert [d["kind"] for d in env["decisions"]] == ["initial"]

    r = finance.post(f"/api/v1/envelopes/{env['id']}/supplements",
                     json={"amount": 250_000_000, "decision_no": "99/QĐ-UBND", "decision_date": "2026-06-30"})
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert (body["total"], body["allocated"], body["available"]) == (1_250_000_000, 0, 1_250_000_000)
    assert [(d["kind"], d["amount"], d["decision_no"]) for d in body["decisions"]] == [
        ("initial", 1_000_000_000, "123/QĐ-UBND"), ("supplement", 250_000_000, "99/QĐ-UBND")]

    support.allocation(finance, env["id"], amount=400_000_000)
    got = support.get(roles["unit"], f"/api/v1/envelopes/{env['id']}")
    assert (got["total"], got["allocated"], got["available"]) == (1_250_000_000, 400_000_000, 850_000_000)
    assert isinstance(got["total"], int) and len(got["decisions"]) == 2


def test_envelope_code_unique_per_year_and_list_filter(roles):
    finance = roles["finance"]
    support.envelope(finance, code="A1", year=2026)
    support.envelope(finance, code="A1", year=2027)
    r = finance.post("/api/v1/envelopes", json={
        "fiscal_year": 2026, "code": "a1", "name": "Trùng mã", "amount": 5, "decision_no": "1",
        "decision_date": "2026-02-01"})
    assert r.status_code == 422 and "code" in r.get_json()["details"]
    listed = support.get(roles["auditor"], "/api/v1/envelopes?fiscal_year=2027")
    assert listed["total"] == 1 and listed["items"][0]["fiscal_year"] == 2027
    assert set(listed) == {"items", "total", "total_estimated", "page", "per_page"}
    assert support.get(roles["dic"], "/api/v1/envelopes")["total"] == 2


def test_paths_have_no_trailing_slash_redirect(roles):
    assert roles["finance"].get("/api/v1/envelopes/").status_code == 404
    assert roles["finance"].get("/api/v1/envelopes").status_code == 200
    assert roles["finance"].get("/api/v1/envelopes/999").status_code == 404
    assert roles["finance"].get("/api/v1/requests/999").get_json()["error"] == "not_found"
    assert roles["finance"].get("/api/v1/allocations/999").status_code == 404


def test_openapi_lists_the_budget_paths(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    for path in ("/api/v1/envelopes", "/api/v1/envelopes/{envelope_id}/supplements", "/api/v1/requests",
                 "/api/v1/requests/{request_id}/submit", "/api/v1/requests/{request_id}/documents",
                 "/api/v1/allocations", "/api/v1/allocations/{allocation_id}/adjustments",
                 "/api/v1/documents/{document_id}"):
        assert path in spec["paths"], path
    post = spec["paths"]["/api/v1/allocations"]["post"]
    assert "requestBody" in post and any(p["name"] == "Idempotency-Key" for p in post["parameters"])


# --- requests -------------------------------------------------------------------------------

def test_request_journey_return_fix_resubmit(roles):
    unit, finance = roles["unit"], roles["finance"]
    created = support.funding_request(unit, support.line(300_000_000, "press"),
                                      support.line(200_000_000, "training", 4))
    assert created["number"] == "DN-2026-0001" and created["status"] == "draft"
    assert created["unit"]["code"] == "STP" and created["requested_total"] == 500_000_000
    assert created["approved_total"] == 0
    assert [(ln["quantity"], ln["unit_cost"], ln["amount"]) for ln in created["lines"]] == [
        (1, 300_000_000, 300_000_000), (4, 50_000_000, 200_000_000)]
    rid = created["id"]

    submitted = support.ok(unit.post(f"/api/v1/requests/{rid}/submit"), 200)
    assert submitted["status"] == "submitted" and submitted["submitted_by"] == "donvi"
    returned = support.ok(finance.post(f"/api/v1/requests/{rid}/return", json={"reason": "Thiếu dự toán chi tiết"}),
                          200)
    assert returned["status"] == "returned" and returned["return_reason"] == "Thiếu dự toán chi tiết"
    assert returned["returned_by"] == "taichinh"

    fixed = support.ok(unit.patch(f"/api/v1/requests/{rid}", json={
        "title": "Tuyên truyền (đã bổ sung)", "lines": [support.line(120_000_000, "it_monitoring", 12)]}), 200)
    assert fixed["status"] == "returned" and fixed["title"] == "Tuyên truyền (đã bổ sung)"
    assert fixed["requested_total"] == 120_000_000 and len(fixed["lines"]) == 1
    assert fixed["lines"][0]["category"] == "it_monitoring"

    again = support.ok(unit.post(f"/api/v1/requests/{rid}/submit"), 200)
    assert again["status"] == "submitted"
    rejected = support.ok(finance.post(f"/api/v1/requests/{rid}/reject", json={"reason": "Không thuộc phạm vi"}), 200)
    assert rejected["status"] == "rejected" and rejected["reject_reason"] == "Không thuộc phạm vi"


def test_request_patch_validation(roles):
    unit = roles["unit"]
    rid = support.funding_request(unit)["id"]
    r = unit.patch(f"/api/v1/requests/{rid}", json={})
    assert r.status_code == 422
    r = unit.patch(f"/api/v1/requests/{rid}", json={"lines": []})
    assert r.status_code == 422 and "lines" in r.get_json()["details"]
    r = unit.patch(f"/api/v1/requests/{rid}", json={"status": "approved"})
    assert r.status_code == 422 and "status" in r.get_json()["details"]
    assert support.get(unit, f"/api/v1/requests/{rid}")["status"] == "draft"


def test_request_numbers_are_per_year(roles):
    unit, dic = roles["unit"], roles["dic"]
    assert support.funding_request(unit)["number"] == "DN-2026-0001"
    assert support.funding_request(dic)["number"] == "DN-2026-0002"
    assert support.funding_request(unit, year=2027)["number"] == "DN-2027-0001"


def test_request_list_filters_and_scope(roles):
    unit, dic, finance = roles["unit"], roles["dic"], roles["finance"]
    a = support.submitted_request(unit, title="Tập huấn phát ngôn")
    support.ok(finance.post(f"/api/v1/requests/{a['id']}/return", json={"reason": "Bổ sung dự toán"}), 200)
    b = support.submitted_request(unit, title="Đặt hàng báo chí quý II")
    c = support.submitted_request(dic, title="Rà quét thông tin mạng")
    d = support.funding_request(dic, year=2027, title="Năm sau")  # a draft: the DIC's own

    def ids(client, query=""):
        return [item["id"] for item in support.get(client, "/api/v1/requests" + query)["items"]]

    assert ids(finance) == [c["id"], b["id"], a["id"]]  # newest first, no draft
    assert ids(unit) == [b["id"], a["id"]]
    assert ids(dic) == [d["id"], c["id"]]
    assert ids(dic, "?fiscal_year=2026") == [c["id"]]
    assert ids(finance, "?status=submitted") == [c["id"], b["id"]]
    assert ids(finance, "?status=draft") == ids(roles["auditor"], "?status=draft") == []
    assert ids(finance, "?unit=SVHTTDL") == [c["id"]]
    assert ids(unit, "?unit=SVHTTDL") == []  # a unit filter never widens the unit's scope
    assert ids(finance, "?q=báo chí") == [b["id"]]
    assert ids(finance, "?q=DN-2026-0001") == [a["id"]]
    assert ids(finance, "?q=DN-2027-0001") == [] and ids(dic, "?q=DN-2027-0001") == [d["id"]]
    page = support.get(finance, "/api/v1/requests?per_page=2&page=2")
    assert (page["total"], page["page"], page["per_page"], len(page["items"])) == (3, 2, 2, 1)
    assert finance.get("/api/v1/requests?status=nope").status_code == 422
    assert finance.get("/api/v1/requests?per_page=201").status_code == 422


# --- allocations ----------------------------------------------------------------------------

def test_partial_approval_in_two_allocations(roles):
    unit, finance = roles["unit"], roles["finance"]
    env = support.envelope(finance, 2_000_000_000)
    req = support.submitted_request(unit, support.line(300_000_000, "press"), support.line(200_000_000, "training", 4))

    first = support.allocation(finance, env["id"], amount=200_000_000, request_id=req["id"], category="press")
    assert first["request_number"] == req["number"] and first["unit"]["code"] == "STP"
    assert (first["amount"], first["committed"], first["spent"], first["available"]) == (
        200_000_000, 0, 0, 200_000_000)
    after_first = support.get(unit, f"/api/v1/requests/{req['id']}")
    assert after_first["status"] == "approved" and after_first["approved_total"] == 200_000_000
    assert after_first["approved_by"] == "taichinh"

    support.allocation(finance, env["id"], amount=250_000_000, request_id=req["id"], category="training")
    after_second = support.get(unit, f"/api/v1/requests/{req['id']}")
    assert after_second["status"] == "approved" and after_second["approved_total"] == 450_000_000
    assert support.get(finance, f"/api/v1/envelopes/{env['id']}")["allocated"] == 450_000_000
    listed = support.get(finance, f"/api/v1/allocations?request_id={req['id']}")
    assert listed["total"] == 2 and sum(a["amount"] for a in listed["items"]) == 450_000_000


def test_allocation_list_filters_and_scope(roles):
    unit, dic, finance = roles["unit"], roles["dic"], roles["finance"]
    env26 = support.envelope(finance, 5_000_000_000)
    env27 = support.envelope(finance, 5_000_000_000, year=2027)
    a1 = support.allocation(finance, env26["id"], "STP", 100, category="press")
    a2 = support.allocation(finance, env26["id"], "SVHTTDL", 200, category="it_monitoring")
    a3 = support.allocation(finance, env27["id"], "STP", 300, category="training", year=2027)

    def ids(client, query=""):
        return [item["id"] for item in support.get(client, "/api/v1/allocations" + query)["items"]]

    assert ids(finance) == [a3["id"], a2["id"], a1["id"]]
    assert ids(unit) == [a3["id"], a1["id"]]
    assert ids(dic) == [a2["id"]]
    assert ids(finance, "?fiscal_year=2026") == [a2["id"], a1["id"]]
    assert ids(finance, "?unit=STP") == [a3["id"], a1["id"]]
    assert ids(finance, "?unit=NOPE") == []
    assert ids(finance, f"?envelope_id={env27['id']}") == [a3["id"]]
    assert ids(finance, "?category=it_monitoring") == [a2["id"]]
    assert ids(roles["auditor"], "?fiscal_year=2027&unit=STP&category=training") == [a3["id"]]
    assert finance.get("/api/v1/allocations?category=food").status_code == 422
    got = support.get(unit, f"/api/v1/allocations/{a1['id']}")
    assert (got["amount"], got["committed"], got["spent"], got["available"]) == (100, 0, 0, 100)
    assert got["envelope_code"] == env26["code"] and got["fiscal_year"] == 2026


def test_adjustments_move_amount_envelope_and_request(roles):
    unit, finance = roles["unit"], roles["finance"]
    env = support.envelope(finance, 1_000_000_000)
    req = support.submitted_request(unit, support.line(500_000_000, "press"))
    alloc = support.allocation(finance, env["id"], amount=300_000_000, request_id=req["id"])

    up = support.ok(support.adjustment(finance, alloc["id"], 150_000_000), 201)
    assert (up["amount"], up["available"]) == (450_000_000, 450_000_000)
    assert [(a["amount"], a["decision_no"]) for a in up["adjustments"]] == [(150_000_000, "789/QĐ-STC")]
    down = support.ok(support.adjustment(finance, alloc["id"], -400_000_000, reason="Thu hồi dự toán"), 201)
    assert down["amount"] == 50_000_000 and len(down["adjustments"]) == 2
    assert support.get(finance, f"/api/v1/envelopes/{env['id']}")["allocated"] == 50_000_000
    assert support.get(unit, f"/api/v1/requests/{req['id']}")["approved_total"] == 50_000_000


# --- audit ----------------------------------------------------------------------------------

def test_each_write_adds_one_audit_entry_and_history_is_readable(roles):
    unit, finance = roles["unit"], roles["finance"]
    steps = [
        lambda s: support.envelope(finance),
        lambda s: finance.post(f"/api/v1/envelopes/{s['env']['id']}/supplements", json={
            "amount": 10, "decision_no": "2/QĐ", "decision_date": "2026-05-05"}),
        lambda s: support.funding_request(unit),
        lambda s: unit.post(f"/api/v1/requests/{s['req']['id']}/submit"),
        lambda s: finance.post(f"/api/v1/requests/{s['req']['id']}/return", json={"reason": "Bổ sung hồ sơ"}),
        lambda s: unit.patch(f"/api/v1/requests/{s['req']['id']}", json={"letter_no": "46/STP-VP"}),
        lambda s: support.upload(unit, s["req"]["id"]),
        lambda s: unit.post(f"/api/v1/requests/{s['req']['id']}/submit"),
        lambda s: support.allocation(finance, s["env"]["id"], request_id=s["req"]["id"]),
        lambda s: support.adjustment(finance, s["alloc"]["id"], -1),
    ]
    state = {}
    for index, step in enumerate(steps):
        before = support.audit_total(finance)
        result = step(state)
        if hasattr(result, "status_code"):
            assert result.status_code in (200, 201), (index, result.get_json())
        assert support.audit_total(finance) == before + 1, index
        if index == 0:
            state["env"] = result
        elif index == 2:
            state["req"] = result
        elif index == 8:
            state["alloc"] = result

    history = support.get(finance, f"/api/v1/audit?entity=request&entity_id={state['req']['id']}")
    actions = [e["action"] for e in reversed(history["items"])]
    assert actions == ["request.create", "request.submit", "request.return", "request.update",
                       "document.upload", "request.submit"]
    assert history["items"][-1]["actor"] == "donvi"
    assert history["items"][-1]["changes"]["requested_total"] == 500_000_000
    alloc_history = support.get(roles["auditor"], f"/api/v1/audit?entity=allocation&entity_id={state['alloc']['id']}")
    assert [e["action"] for e in reversed(alloc_history["items"])] == ["allocation.create", "allocation.adjust"]
    assert roles["unit"].get("/api/v1/audit?entity=request").status_code == 403


# --- idempotency ----------------------------------------------------------------------------

def test_idempotent_allocation_replays_the_first_answer(roles):
    finance = roles["finance"]
    env = support.envelope(finance)
    body = support.allocation_body(env["id"], amount=70_000_000)
    key = {"Idempotency-Key": "alloc-2026-0001"}
    first = finance.post("/api/v1/allocations", json=body, headers=key)
    assert first.status_code == 201, first.get_json()
    audit_after_first = support.audit_total(finance)
    second = finance.post("/api/v1/allocations", json=body, headers=key)
    assert second.status_code == 201
    assert second.get_json() == first.get_json()
    assert support.list_total(finance, "/api/v1/allocations") == 1
    assert support.get(finance, f"/api/v1/envelopes/{env['id']}")["allocated"] == 70_000_000
    assert support.audit_total(finance) == audit_after_first

    before = support.balances(finance, env["id"])
    other = dict(body, amount=70_000_001)
    conflict = finance.post("/api/v1/allocations", json=other, headers=key)
    assert conflict.status_code == 422 and conflict.get_json()["error"] == "idempotency_conflict"
    assert "Idempotency-Key" in conflict.get_json()["details"]
    assert support.balances(finance, env["id"]) == before

    # Without a key, the same body is a new allocation.
    support.ok(finance.post("/api/v1/allocations", json=body), 201)
    assert support.list_total(finance, "/api/v1/allocations") == 2


def test_idempotency_key_is_per_user_and_a_failure_does_not_burn_it(app, roles, world):
    finance = roles["finance"]
    env = support.envelope(finance, 100)
    key = {"Idempotency-Key": "retry-me"}
    body = support.allocation_body(env["id"], amount=150)
    refused = finance.post("/api/v1/allocations", json=body, headers=key)
    assert refused.status_code == 409 and refused.get_json()["error"] == "insufficient_funds"
    support.ok(finance.post(f"/api/v1/envelopes/{env['id']}/supplements",
                            json={"amount": 100, "decision_no": "3/QĐ", "decision_date": "2026-04-01"}), 201)
    assert finance.post("/api/v1/allocations", json=body, headers=key).status_code == 201

    from tests.support import ApiClient
    world.user("taichinh2", "finance_officer")
    colleague = ApiClient(app.test_client(), world.token("taichinh2"))
    r = colleague.post("/api/v1/allocations", json=dict(body, amount=50), headers=key)
    assert r.status_code == 201, r.get_json()
    assert support.get(finance, f"/api/v1/envelopes/{env['id']}")["allocated"] == 200

    too_long = finance.post("/api/v1/allocations", json=body, headers={"Idempotency-Key": "k" * 201})
    assert too_long.status_code == 422 and "Idempotency-Key" in too_long.get_json()["details"]


# --- a fixed number of queries per list -----------------------------------------------------

@contextmanager
def counted_queries(app):
    statements = []

    def before_cursor_execute(_conn, _cursor, statement, *_args):
        statements.append(statement)

    for engine in engines(app):
        event.listen(engine, "before_cursor_execute", before_cursor_execute)
    try:
        yield statements
    finally:
        for engine in engines(app):
            event.remove(engine, "before_cursor_execute", before_cursor_execute)


def query_count(app, client, path):
    with counted_queries(app) as statements:
        response = client.get(path)
    assert response.status_code == 200, response.get_json()
    return len(statements), response.get_json()


@saved_world(scope="module")
def _busy_world(app, _roles_world):
    return build_world(app, "budgets_api.busy", lambda: _build_busy_budget(_roles_world.clients(app)),
                       base=_roles_world)


@pytest.fixture
def busy_budget(_busy_world):
    """Requests in every state from two units, allocations with and without requests and
    adjustments, documents; the newest rows are the plainest ones. Built once for the module,
    restored before each test."""
    return _busy_world.copy()


def _build_busy_budget(roles):
    unit, dic, finance = roles["unit"], roles["dic"], roles["finance"]
    env = support.envelope(finance, 50_000_000_000)
    support.envelope(finance, 1_000, code="NHO")
    support.ok(finance.post(f"/api/v1/envelopes/{env['id']}/supplements",
                            json={"amount": 5, "decision_no": "7/QĐ", "decision_date": "2026-07-07"}), 201)
    for officer in (unit, dic):
        approved = support.submitted_request(officer)
        alloc = support.allocation(finance, env["id"], approved["unit"]["code"], 100_000_000,
                                   request_id=approved["id"])
        support.ok(support.adjustment(finance, alloc["id"], 5_000_000), 201)
        returned = support.submitted_request(officer)
        support.ok(finance.post(f"/api/v1/requests/{returned['id']}/return", json={"reason": "Bổ sung"}), 200)
        rejected = support.submitted_request(officer)
        support.ok(finance.post(f"/api/v1/requests/{rejected['id']}/reject", json={"reason": "Không phù hợp"}), 200)
        withdrawn = support.funding_request(officer)
        support.ok(officer.post(f"/api/v1/requests/{withdrawn['id']}/withdraw"), 200)
        support.allocation(finance, env["id"], approved["unit"]["code"], 7_000_000, category="operations")
        for _ in range(3):
            support.ok(support.upload(officer, approved["id"]), 201)
        support.funding_request(officer)  # newest: a bare draft
    return {"approved_request": approved}


@pytest.mark.parametrize("role", ["finance", "unit", "auditor"])
@pytest.mark.parametrize("path", ["/api/v1/requests", "/api/v1/allocations", "/api/v1/envelopes"])
def test_lists_run_a_fixed_number_of_queries(app, roles, busy_budget, role, path):
    client = roles[role]
    one, page_one = query_count(app, client, path + "?per_page=1")
    many, page_many = query_count(app, client, path + "?per_page=50")
    assert len(page_one["items"]) == 1 and len(page_many["items"]) == page_many["total"] >= 2
    assert one == many, (one, many)
    assert many <= 12


def test_document_list_runs_a_fixed_number_of_queries(app, roles, busy_budget):
    path = f"/api/v1/requests/{busy_budget['approved_request']['id']}/documents"
    one, _ = query_count(app, roles["dic"], path + "?per_page=1")
    many, page = query_count(app, roles["dic"], path + "?per_page=50")
    assert page["total"] == 3 and one == many
