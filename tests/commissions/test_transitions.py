"""Every commission and deliverable status change, allowed and refused, from the tables in
commissions/models.py. An allowed change moves the status (and the money it moves) and writes one
audit entry; a refused one answers 409 `invalid_transition` and leaves the database as it was."""
import pytest

from commissions.models import (
    COMMISSION_ACTIONS_FROM,
    COMMISSION_STATUSES,
    DELIVERABLE_ACTIONS_FROM,
    DELIVERABLE_STATUSES,
)
from tests import support
from tests.commissions import builders

# --- commissions ----------------------------------------------------------------------------

COMMISSION_TARGET = {"approve": "approved", "reject": "rejected", "sign": "signed", "cancel": "cancelled",
                     "close": "closed", "deliver": None}  # delivering leaves the commission as it is


def _commission_in(state, roles, budget):
    """A DIC press commission (value 20,000,000) in `state`. Once signed, its first deliverable was
    delivered and rejected (owed again: it may be delivered again) and the second accepted, so
    that closing is allowed by the deliverables and only the status decides."""
    dic, finance = roles["dic"], roles["finance"]
    commission = builders.press_commission(roles, budget)
    cid = commission["id"]
    path = f"/api/v1/commissions/{cid}"
    if state == "rejected":
        support.ok(finance.post(f"{path}/reject", json={"reason": "Chưa đủ căn cứ"}), 200)
    if state in ("approved", "signed", "closed", "cancelled"):
        builders.approve(finance, cid)
    if state in ("signed", "closed"):
        builders.resolve_all(dic, builders.sign(dic, cid))
    if state == "closed":
        support.ok(dic.post(f"{path}/close", json={"liquidation_no": "TL-01",
                                                   "liquidated_on": f"{support.YEAR}-08-01"}), 200)
    if state == "cancelled":
        support.ok(dic.post(f"{path}/cancel", json={"reason": "Không còn nhu cầu"}), 200)
    got = support.get(dic, path)
    assert got["status"] == state
    return got


def _act_on_commission(action, roles, commission):
    dic, finance = roles["dic"], roles["finance"]
    path = f"/api/v1/commissions/{commission['id']}"
    return {
        "approve": lambda: finance.post(f"{path}/approve"),
        "reject": lambda: finance.post(f"{path}/reject", json={"reason": "Không phù hợp"}),
        "sign": lambda: dic.post(f"{path}/sign", json={"contract_no": "07/HĐ", "signed_on": f"{support.YEAR}-02-02"}),
        "cancel": lambda: dic.post(f"{path}/cancel", json={"reason": "Hủy theo đề nghị"}),
        "close": lambda: dic.post(f"{path}/close", json={}),
        "deliver": lambda: dic.post(f"/api/v1/deliverables/{commission['deliverables'][0]['id']}/deliver",
                                    json={"delivered_on": f"{support.YEAR}-07-01", "quantity": 1}),
    }[action]()


def _held(finance, budget):
    return support.get(finance, f"/api/v1/allocations/{budget.allocation('dic', 'press')}")["committed"]


def test_the_commission_table_covers_every_status():
    assert set(COMMISSION_TARGET) == set(COMMISSION_ACTIONS_FROM)
    assert {s for froms in COMMISSION_ACTIONS_FROM.values() for s in froms} <= set(COMMISSION_STATUSES)


@pytest.mark.parametrize("state", COMMISSION_STATUSES)
@pytest.mark.parametrize("action", sorted(COMMISSION_ACTIONS_FROM))
def test_commission_transition_table(app, roles, budget, state, action):
    finance = roles["finance"]
    commission = _commission_in(state, roles, budget)
    before, audit_before, held_before = (support.database_fingerprint(app), support.audit_total(finance),
                                         _held(finance, budget))
    response = _act_on_commission(action, roles, commission)
    after = support.get(finance, f"/api/v1/commissions/{commission['id']}")
    if state in COMMISSION_ACTIONS_FROM[action]:
        assert response.status_code == 200, response.get_json()
        assert after["status"] == (COMMISSION_TARGET[action] or state)
        assert support.audit_total(finance) == audit_before + 1
        value = commission["value"]
        expected_held = {"approve": held_before + value, "cancel": held_before - value,
                         "close": held_before - value}.get(action, held_before)
        assert (_held(finance, budget), after["committed"]) == (
            expected_held, value if after["status"] in ("approved", "signed") else 0)
        if action == "deliver":
            assert response.get_json()["status"] == "delivered"
    else:
        body = response.get_json()
        assert (response.status_code, body["error"]) == (409, "invalid_transition"), body
        assert body["message"] and body["details"] == {"status": [state]}
        assert support.database_fingerprint(app) == before


# --- deliverables ---------------------------------------------------------------------------

DELIVERABLE_TARGET = {"deliver": "delivered", "accept": "accepted", "reject": "rejected"}


def _deliverable_in(state, roles, budget):
    dic, finance = roles["dic"], roles["finance"]
    commission = builders.signed_commission(finance, dic, budget.allocation("dic", "press"), budget.suppliers["press"])
    did = commission["deliverables"][0]["id"]
    if state != "planned":
        builders.deliver(dic, did, quantity=2)
    if state == "accepted":
        builders.accept(dic, did, accepted_quantity=2)
    if state == "rejected":
        builders.reject_delivery(dic, did)
    assert support.get(dic, f"/api/v1/deliverables/{did}")["status"] == state
    return did


def _act_on_deliverable(action, officer, did):
    body = {"deliver": {"delivered_on": f"{support.YEAR}-07-01", "quantity": 2},
            "accept": {"accepted_on": f"{support.YEAR}-07-02", "accepted_quantity": 1, "record_no": "BB-02"},
            "reject": {"reason": "Chất lượng chưa đạt"}}[action]
    return officer.post(f"/api/v1/deliverables/{did}/{action}", json=body)


def test_the_deliverable_table_covers_every_status():
    assert set(DELIVERABLE_TARGET) == set(DELIVERABLE_ACTIONS_FROM)
    assert {s for froms in DELIVERABLE_ACTIONS_FROM.values() for s in froms} <= set(DELIVERABLE_STATUSES)


@pytest.mark.parametrize("state", DELIVERABLE_STATUSES)
@pytest.mark.parametrize("action", sorted(DELIVERABLE_ACTIONS_FROM))
def test_deliverable_transition_table(app, roles, budget, state, action):
    dic = roles["dic"]
    did = _deliverable_in(state, roles, budget)
    before, audit_before = support.database_fingerprint(app), support.audit_total(dic)
    response = _act_on_deliverable(action, dic, did)
    body = response.get_json()
    if state in DELIVERABLE_ACTIONS_FROM[action]:
        assert response.status_code == 200, body
        assert body["status"] == DELIVERABLE_TARGET[action]
        assert support.audit_total(dic) == audit_before + 1
        if action == "deliver":  # a new delivery clears the earlier verdict
            assert (body["delivered_quantity"], body["accepted_quantity"], body["accepted_value"],
                    body["reject_reason"]) == (2, None, 0, None)
        if action == "accept":
            assert (body["accepted_quantity"], body["accepted_value"]) == (1, body["unit_price"])
    else:
        assert (response.status_code, body["error"]) == (409, "invalid_transition"), body
        assert body["details"] == {"status": [state]}
        assert support.database_fingerprint(app) == before
