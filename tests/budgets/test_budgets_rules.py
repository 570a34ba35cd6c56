"""Request status transitions, money rules 1-3 and bad input: every refusal changes nothing."""
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import support

# --- status transitions ---------------------------------------------------------------------

STATES = ("draft", "submitted", "returned", "rejected", "approved", "withdrawn")
ACTIONS = ("update", "submit", "withdraw", "return", "reject", "allocate")
ALLOWED = {
    ("draft", "update"): "draft",
    ("draft", "submit"): "submitted",
    ("draft", "withdraw"): "withdrawn",
    ("submitted", "withdraw"): "withdrawn",
    ("submitted", "return"): "returned",
    ("submitted", "reject"): "rejected",
    ("submitted", "allocate"): "approved",
    ("returned", "update"): "returned",
    ("returned", "submit"): "submitted",
    ("returned", "withdraw"): "withdrawn",
    ("approved", "allocate"): "approved",  # a further partial allocation
}
# Never submitted: finance does not see these requests at all (DESIGN §2), so its actions on them
# find nothing - 404, or for an allocation naming one, a refused `request_id` - instead of 409.
NEVER_SUBMITTED = ("draft", "withdrawn")
UNSEEN = {"return": (404, "not_found"), "reject": (404, "not_found"), "allocate": (422, "validation_error")}


def _request_in(state, roles, envelope_id):
    unit, finance = roles["unit"], roles["finance"]
    rid = support.funding_request(unit, support.line(500_000_000, "press"))["id"]
    steps = {
        "draft": [],
        "submitted": [lambda: unit.post(f"/api/v1/requests/{rid}/submit")],
        "returned": [lambda: unit.post(f"/api/v1/requests/{rid}/submit"),
                     lambda: finance.post(f"/api/v1/requests/{rid}/return", json={"reason": "Bổ sung hồ sơ"})],
        "rejected": [lambda: unit.post(f"/api/v1/requests/{rid}/submit"),
                     lambda: finance.post(f"/api/v1/requests/{rid}/reject", json={"reason": "Không phù hợp"})],
        "approved": [lambda: unit.post(f"/api/v1/requests/{rid}/submit"),
                     lambda: finance.post("/api/v1/allocations", json=support.allocation_body(
                         envelope_id, amount=100_000_000, request_id=rid))],
        "withdrawn": [lambda: unit.post(f"/api/v1/requests/{rid}/withdraw")],
    }[state]
    for step in steps:
        assert step().status_code in (200, 201)
    assert support.get(unit, f"/api/v1/requests/{rid}")["status"] == state
    return rid


def _act(action, roles, rid, envelope_id):
    unit, finance = roles["unit"], roles["finance"]
    if action == "update":
        return unit.patch(f"/api/v1/requests/{rid}",
                          json={"title": "Tiêu đề mới", "lines": [support.line(400_000_000)]})
    if action in ("submit", "withdraw"):
        return unit.post(f"/api/v1/requests/{rid}/{action}")
    if action in ("return", "reject"):
        return finance.post(f"/api/v1/requests/{rid}/{action}", json={"reason": "Lý do xử lý"})
    return finance.post("/api/v1/allocations",
                        json=support.allocation_body(envelope_id, amount=50_000_000, request_id=rid))


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("action", ACTIONS)
def test_request_transition_table(roles, state, action):
    finance = roles["finance"]
    envelope_id = support.envelope(finance, 5_000_000_000)["id"]
    rid = _request_in(state, roles, envelope_id)
    before = support.balances(finance, envelope_id, request_id=rid, owner=roles["unit"])
    response = _act(action, roles, rid, envelope_id)
    after = support.balances(finance, envelope_id, request_id=rid, owner=roles["unit"])
    if state in NEVER_SUBMITTED and action in UNSEEN:
        status, code = UNSEEN[action]
        assert (response.status_code, response.get_json()["error"]) == (status, code), response.get_json()
        if action == "allocate":
            assert list(response.get_json()["details"]) == ["request_id"]
        assert after == before
    elif (state, action) in ALLOWED:
        assert response.status_code in (200, 201), response.get_json()
        assert after["request"][0] == ALLOWED[state, action]
        assert after["audit"] == before["audit"] + 1
        if action == "allocate":
            assert after["request"][2] == before["request"][2] + 50_000_000
            assert after["envelope"][1] == before["envelope"][1] + 50_000_000
    else:
        assert response.status_code == 409, response.get_json()
        body = response.get_json()
        assert body["error"] == "invalid_transition" and body["message"]
        assert after == before


def test_patch_refusal_names_the_current_state(roles):
    rid = support.submitted_request(roles["unit"])["id"]
    r = roles["unit"].patch(f"/api/v1/requests/{rid}", json={"title": "Sửa khi đã gửi"})
    assert r.status_code == 409 and "Đã gửi" in r.get_json()["message"]
    assert r.get_json()["details"] == {"status": ["submitted"]}


# --- money rules 1-3 ------------------------------------------------------------------------

def test_rule1_allocations_never_pass_the_envelope(roles):
    finance = roles["finance"]
    env = support.envelope(finance, 1_000_000_000)
    support.allocation(finance, env["id"], amount=600_000_000)
    before = support.balances(finance, env["id"])
    r = finance.post("/api/v1/allocations", json=support.allocation_body(env["id"], amount=400_000_001))
    assert r.status_code == 409 and r.get_json()["error"] == "insufficient_funds"
    assert "amount" in r.get_json()["details"]
    assert support.balances(finance, env["id"]) == before
    support.allocation(finance, env["id"], amount=400_000_000)  # exactly what is left
    assert support.get(finance, f"/api/v1/envelopes/{env['id']}")["available"] == 0
    r = finance.post("/api/v1/allocations", json=support.allocation_body(env["id"], amount=1))
    assert r.status_code == 409
    support.ok(finance.post(f"/api/v1/envelopes/{env['id']}/supplements",
                            json={"amount": 1, "decision_no": "5/QĐ", "decision_date": "2026-08-01"}), 201)
    support.allocation(finance, env["id"], amount=1)


def test_rule1_adjustment_cannot_take_the_envelope_above_its_total(roles):
    finance = roles["finance"]
    env = support.envelope(finance, 1_000_000_000)
    alloc = support.allocation(finance, env["id"], amount=900_000_000)
    before = support.balances(finance, env["id"], allocation_id=alloc["id"])
    r = support.adjustment(finance, alloc["id"], 100_000_001)
    assert r.status_code == 409 and r.get_json()["error"] == "insufficient_funds"
    assert support.balances(finance, env["id"], allocation_id=alloc["id"]) == before
    assert support.ok(support.adjustment(finance, alloc["id"], 100_000_000), 201)["amount"] == 1_000_000_000


def test_rule2_adjustment_never_takes_the_amount_below_zero(roles):
    finance = roles["finance"]
    env = support.envelope(finance, 1_000_000_000)
    alloc = support.allocation(finance, env["id"], amount=300_000_000)
    before = support.balances(finance, env["id"], allocation_id=alloc["id"])
    r = support.adjustment(finance, alloc["id"], -300_000_001)
    assert r.status_code == 409 and r.get_json()["error"] == "insufficient_funds"
    assert support.balances(finance, env["id"], allocation_id=alloc["id"]) == before
    emptied = support.ok(support.adjustment(finance, alloc["id"], -300_000_000), 201)
    assert (emptied["amount"], emptied["available"]) == (0, 0)
    assert support.get(finance, f"/api/v1/envelopes/{env['id']}")["allocated"] == 0


def test_rule2_adjustment_never_takes_the_amount_below_what_is_committed(roles):
    """Left open by the budgets issue until commissions existed: an approved commission's value is
    committed on the allocation, and no negative adjustment may cut under it."""
    from tests.commissions import builders
    dic, finance = roles["dic"], roles["finance"]
    env = support.envelope(finance, 1_000_000_000)
    alloc = support.allocation(finance, env["id"], "SVHTTDL", 300_000_000, category="press")
    supplier = builders.supplier(finance)
    commission = builders.propose(dic, alloc["id"], supplier["id"], builders.item(quantity=4, unit_price=50_000_000))
    builders.approve(finance, commission["id"])
    before = support.balances(finance, env["id"], allocation_id=alloc["id"])
    assert before["allocation"][:4] == (300_000_000, 200_000_000, 0, 100_000_000)
    r = support.adjustment(finance, alloc["id"], -100_000_001)
    assert r.status_code == 409 and r.get_json()["error"] == "insufficient_funds", r.get_json()
    assert list(r.get_json()["details"]) == ["amount"] and "200.000.000 ₫" in r.get_json()["message"]
    assert support.balances(finance, env["id"], allocation_id=alloc["id"]) == before
    down = support.ok(support.adjustment(finance, alloc["id"], -100_000_000), 201)
    assert (down["amount"], down["committed"], down["available"]) == (200_000_000, 200_000_000, 0)
    assert support.get(finance, f"/api/v1/envelopes/{env['id']}")["allocated"] == 200_000_000


def test_rule3_allocation_never_passes_the_request(roles):
    unit, finance = roles["unit"], roles["finance"]
    env = support.envelope(finance, 5_000_000_000)
    req = support.submitted_request(unit, support.line(500_000_000, "press"))
    before = support.balances(finance, env["id"], request_id=req["id"])
    r = finance.post("/api/v1/allocations", json=support.allocation_body(env["id"], amount=500_000_001,
                                                                         request_id=req["id"]))
    assert r.status_code == 409 and r.get_json()["error"] == "rule_violation"
    assert support.balances(finance, env["id"], request_id=req["id"]) == before  # still submitted, nothing taken
    support.allocation(finance, env["id"], amount=300_000_000, request_id=req["id"])
    before = support.balances(finance, env["id"], request_id=req["id"])
    r = finance.post("/api/v1/allocations", json=support.allocation_body(env["id"], amount=200_000_001,
                                                                         request_id=req["id"]))
    assert r.status_code == 409 and "amount" in r.get_json()["details"]
    assert support.balances(finance, env["id"], request_id=req["id"]) == before
    support.allocation(finance, env["id"], amount=200_000_000, request_id=req["id"])
    assert support.get(unit, f"/api/v1/requests/{req['id']}")["approved_total"] == 500_000_000


def test_rule3_adjustments_follow_and_respect_the_request(roles):
    unit, finance = roles["unit"], roles["finance"]
    env = support.envelope(finance, 5_000_000_000)
    req = support.submitted_request(unit, support.line(500_000_000, "press"))
    alloc = support.allocation(finance, env["id"], amount=400_000_000, request_id=req["id"])
    before = support.balances(finance, env["id"], allocation_id=alloc["id"], request_id=req["id"])
    r = support.adjustment(finance, alloc["id"], 100_000_001)
    assert r.status_code == 409 and r.get_json()["error"] == "rule_violation"
    # The envelope was touched first inside the transaction: it must be untouched after the refusal.
    assert support.balances(finance, env["id"], allocation_id=alloc["id"], request_id=req["id"]) == before
    support.ok(support.adjustment(finance, alloc["id"], 100_000_000), 201)
    assert support.get(unit, f"/api/v1/requests/{req['id']}")["approved_total"] == 500_000_000
    support.ok(support.adjustment(finance, alloc["id"], -250_000_000), 201)
    got = support.get(unit, f"/api/v1/requests/{req['id']}")
    assert (got["approved_total"], got["status"]) == (250_000_000, "approved")
    assert support.get(finance, f"/api/v1/envelopes/{env['id']}")["allocated"] == 250_000_000


def test_allocation_must_match_the_request(roles):
    unit, dic, finance = roles["unit"], roles["dic"], roles["finance"]
    env = support.envelope(finance, 5_000_000_000)
    env27 = support.envelope(finance, 5_000_000_000, year=2027)
    req = support.submitted_request(unit, support.line(500_000_000, "press"))
    dic_req = support.submitted_request(dic, support.line(500_000_000, "press"))
    before = support.balances(finance, env["id"], request_id=req["id"])
    cases = [
        (support.allocation_body(env["id"], category="training", request_id=req["id"]), "category"),
        (support.allocation_body(env["id"], "STP", request_id=dic_req["id"]), "unit_code"),
        (support.allocation_body(env27["id"], request_id=req["id"], year=2027), "envelope_id"),
        (support.allocation_body(env["id"], request_id=999_999), "request_id"),
    ]
    for body, field in cases:
        r = finance.post("/api/v1/allocations", json=body)
        assert r.status_code == 422, (field, r.get_json())
        assert field in r.get_json()["details"], (field, r.get_json())
    assert support.balances(finance, env["id"], request_id=req["id"]) == before


# --- bad input ------------------------------------------------------------------------------

BAD_AMOUNTS = [5.5, 5.0, -5, 0, 2**63, 2**70, "5000", True, False, None, [], {}]


@pytest.mark.parametrize("amount", BAD_AMOUNTS, ids=repr)
def test_bad_amounts_are_refused_everywhere(roles, amount):
    unit, finance = roles["unit"], roles["finance"]
    env = support.envelope(finance)
    req = support.submitted_request(unit)
    alloc = support.allocation(finance, env["id"], amount=1_000)
    before = support.balances(finance, env["id"], allocation_id=alloc["id"], request_id=req["id"])
    attempts = [
        finance.post("/api/v1/envelopes", json={"fiscal_year": 2026, "code": "X", "name": "Nguồn X",
                                                "amount": amount, "decision_no": "1", "decision_date": "2026-01-02"}),
        finance.post(f"/api/v1/envelopes/{env['id']}/supplements",
                     json={"amount": amount, "decision_no": "1", "decision_date": "2026-02-02"}),
        finance.post("/api/v1/allocations", json=dict(support.allocation_body(env["id"]), amount=amount)),
        unit.post("/api/v1/requests", json={"fiscal_year": 2026, "title": "Đề nghị lỗi", "lines": [
            {"category": "press", "description": "x", "quantity": 1, "unit_cost": amount}]}),
        unit.post("/api/v1/requests", json={"fiscal_year": 2026, "title": "Đề nghị lỗi", "lines": [
            {"category": "press", "description": "x", "quantity": amount, "unit_cost": 1000}]}),
    ]
    if amount not in (-5,):  # a negative adjustment is legitimate
        attempts.append(support.adjustment(finance, alloc["id"], amount))
    for response in attempts:
        assert response.status_code == 422, (amount, response.get_json())
        body = response.get_json()
        assert body["error"] == "validation_error"
        details = json.dumps(body["details"])
        assert "amount" in details or "unit_cost" in details or "quantity" in details, body
    assert support.balances(finance, env["id"], allocation_id=alloc["id"], request_id=req["id"]) == before


def test_other_bad_input_names_the_field(roles):
    unit, finance = roles["unit"], roles["finance"]
    env = support.envelope(finance)
    before = support.balances(finance, env["id"])
    good_request = {"fiscal_year": 2026, "title": "Đề nghị", "lines": [support.line(1000)]}
    cases = [
        (unit.post("/api/v1/requests", json=dict(good_request, lines=[])), "lines"),
        (unit.post("/api/v1/requests", json=dict(good_request, lines=[dict(support.line(1000), category="food")])),
         "lines"),
        (unit.post("/api/v1/requests", json=dict(good_request, lines=[support.line(10**15, quantity=1),
                                                                       support.line(10**6, quantity=10**6)])), "lines"),
        (unit.post("/api/v1/requests", json=dict(good_request, fiscal_year=1999)), "fiscal_year"),
        (unit.post("/api/v1/requests", json=dict(good_request, fiscal_year="2026")), "fiscal_year"),
        (unit.post("/api/v1/requests", json=dict(good_request, unit_id=1)), "unit_id"),
        (unit.post("/api/v1/requests", json={k: v for k, v in good_request.items() if k != "title"}), "title"),
        (finance.post("/api/v1/allocations", json=dict(support.allocation_body(env["id"]), category="food")),
         "category"),
        (finance.post("/api/v1/allocations", json=support.allocation_body(999_999)), "envelope_id"),
        (finance.post("/api/v1/allocations", json=support.allocation_body(env["id"], "NOPE")), "unit_code"),
        (finance.post("/api/v1/allocations", json=dict(support.allocation_body(env["id"]), decision_date="2025-06-30")),
         "decision_date"),
        (finance.post("/api/v1/allocations", json=dict(support.allocation_body(env["id"]), decision_date="2027-01-01")),
         "decision_date"),
        (finance.post("/api/v1/allocations", json=dict(support.allocation_body(env["id"]), decision_date="30/03/2026")),
         "decision_date"),
        (finance.post("/api/v1/allocations", json=dict(support.allocation_body(env["id"]), envelope_id=2**40)),
         "envelope_id"),
        (finance.post("/api/v1/allocations", json=dict(support.allocation_body(env["id"]), chapter_code="12a")),
         "chapter_code"),
        (finance.post("/api/v1/envelopes", json={"fiscal_year": 2026, "code": "Y", "name": "Nguồn Y",
                                                 "amount": 5, "decision_no": "1", "decision_date": "2025-11-30"}),
         "decision_date"),
        (finance.post(f"/api/v1/envelopes/{env['id']}/supplements",
                      json={"amount": 5, "decision_no": "1", "decision_date": "2025-12-15"}), "decision_date"),
        (finance.post(f"/api/v1/envelopes/{env['id']}/supplements",
                      json={"amount": 5, "decision_no": "", "decision_date": "2026-12-15"}), "decision_no"),
    ]
    for index, (response, field) in enumerate(cases):
        assert response.status_code == 422, (index, response.get_json())
        assert field in response.get_json()["details"], (index, response.get_json())
    assert support.balances(finance, env["id"]) == before


def test_malformed_json_is_400_and_unknown_records_404(roles):
    finance = roles["finance"]
    before = support.audit_total(finance)
    r = finance.post("/api/v1/allocations", data="{not json", content_type="application/json")
    assert r.status_code == 400 and r.get_json()["error"] == "bad_request"
    assert finance.post("/api/v1/envelopes/999/supplements", json={
        "amount": 5, "decision_no": "1", "decision_date": "2026-02-02"}).status_code == 404
    assert support.adjustment(finance, 999, 5).status_code == 404
    assert roles["unit"].post("/api/v1/requests/999/submit").status_code == 404
    assert finance.post("/api/v1/requests/999/reject", json={"reason": "Không rõ"}).status_code == 404
    assert support.audit_total(finance) == before


# --- fuzz -----------------------------------------------------------------------------------

json_scalars = st.one_of(st.none(), st.booleans(), st.integers(min_value=-(2**80), max_value=2**80),
                         st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=30),
                         st.sampled_from(["2026-03-01", "2025-12-31", "2026-02-30", "press", "STP", "NOPE"]))
json_values = st.recursive(json_scalars, lambda children: st.one_of(
    st.lists(children, max_size=3), st.dictionaries(st.text(max_size=10), children, max_size=3)), max_leaves=8)

line_strategy = st.fixed_dictionaries({}, optional={
    "category": st.one_of(st.sampled_from(["press", "training", "food"]), json_scalars),
    "description": st.one_of(st.text(max_size=20), json_scalars),
    "quantity": st.one_of(st.integers(min_value=-5, max_value=2**70), json_scalars),
    "unit_cost": st.one_of(st.integers(min_value=-5, max_value=2**70), json_scalars),
})
request_bodies = st.one_of(json_values, st.fixed_dictionaries({}, optional={
    "fiscal_year": st.one_of(st.integers(min_value=1990, max_value=2200), json_scalars),
    "title": st.one_of(st.text(max_size=40), json_scalars),
    "justification": st.one_of(st.text(max_size=40), json_scalars),
    "letter_no": st.one_of(st.text(max_size=70), json_scalars),
    "lines": st.one_of(st.lists(line_strategy, max_size=3), json_values),
    "extra": json_scalars,
}))
allocation_bodies = st.one_of(json_values, st.fixed_dictionaries({}, optional={
    "envelope_id": st.one_of(st.sampled_from([1, 2, 0, -1, 2**31, 2**64]), json_scalars),
    "unit_code": st.one_of(st.sampled_from(["STP", "SVHTTDL", "NOPE", ""]), json_scalars),
    "request_id": st.one_of(st.sampled_from([1, 2, 999, None]), json_scalars),
    "category": st.one_of(st.sampled_from(["press", "training", "food"]), json_scalars),
    "amount": st.one_of(st.integers(min_value=-(2**65), max_value=2**65), json_scalars),
    "decision_no": st.one_of(st.text(max_size=70), json_scalars),
    "decision_date": st.one_of(st.sampled_from(["2026-03-01", "2025-12-01", "2027-01-01", "x"]), json_scalars),
    "chapter_code": st.one_of(st.sampled_from(["123", "12"]), json_scalars),
}))

FUZZ = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@pytest.fixture
def fuzz_world(roles):
    finance = roles["finance"]
    support.envelope(finance, 10**15)
    support.submitted_request(roles["unit"])
    return roles


@FUZZ
@given(body=request_bodies)
def test_fuzz_request_bodies_never_500(fuzz_world, body):
    r = fuzz_world["unit"].post("/api/v1/requests", json=body)
    assert r.status_code < 500, (body, r.get_json())
    assert r.status_code in (201, 400, 422), (body, r.get_json())


@FUZZ
@given(body=allocation_bodies)
def test_fuzz_allocation_bodies_never_500(fuzz_world, body):
    r = fuzz_world["finance"].post("/api/v1/allocations", json=body)
    assert r.status_code < 500, (body, r.get_json())
    assert r.status_code in (201, 400, 404, 409, 422), (body, r.get_json())
    if r.status_code == 201:
        assert isinstance(r.get_json()["amount"], int)
    env = support.get(fuzz_world["finance"], "/api/v1/envelopes/1")
    assert 0 <= env["allocated"] <= env["total"]


# Near-valid bodies reach the services: one field of a good body replaced by anything.
GOOD_REQUEST = {"fiscal_year": 2026, "title": "Đề nghị thử", "justification": "", "letter_no": None,
                "lines": [{"category": "press", "description": "Tin bài", "quantity": 2, "unit_cost": 1000}]}
REQUEST_FIELDS = ["fiscal_year", "title", "justification", "letter_no", "lines",
                  "lines.category", "lines.description", "lines.quantity", "lines.unit_cost"]
ALLOCATION_FIELDS = ["envelope_id", "unit_code", "request_id", "category", "amount", "decision_no",
                     "decision_date", "chapter_code", "section_code"]
edge_values = st.one_of(json_values, st.integers(min_value=-(2**70), max_value=2**70),
                        st.sampled_from([0, 1, 2**31 - 1, 2**31, 2**63 - 1, 2**63, 10**15, 10**15 + 1]))


@FUZZ
@given(field=st.sampled_from(REQUEST_FIELDS), value=edge_values)
def test_fuzz_near_valid_requests(fuzz_world, field, value):
    body = json.loads(json.dumps(GOOD_REQUEST))
    if field.startswith("lines."):
        body["lines"][0][field.split(".", 1)[1]] = value
    else:
        body[field] = value
    r = fuzz_world["unit"].post("/api/v1/requests", json=body)
    assert r.status_code in (201, 422), (body, r.get_json())
    if r.status_code == 201:
        got = r.get_json()
        assert got["requested_total"] == sum(ln["amount"] for ln in got["lines"]) <= 10**15


@FUZZ
@given(field=st.sampled_from(ALLOCATION_FIELDS), value=edge_values)
def test_fuzz_near_valid_allocations(fuzz_world, field, value):
    body = dict(support.allocation_body(1, amount=1000, request_id=1), **{field: value})
    r = fuzz_world["finance"].post("/api/v1/allocations", json=body)
    assert r.status_code in (201, 409, 422), (body, r.get_json())
    env = support.get(fuzz_world["finance"], "/api/v1/envelopes/1")
    req = support.get(fuzz_world["finance"], "/api/v1/requests/1")
    assert 0 <= env["allocated"] <= env["total"]
    assert 0 <= req["approved_total"] <= req["requested_total"]
