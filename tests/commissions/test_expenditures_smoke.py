"""The three settlement cases of Decree 347/2025 art. 6, a recovery, direct spending and reversals."""
import itertools

from app.extensions import db
from commissions.expenditures.balances import check_balances as check_ledger
from tests import support
from tests.commissions import builders

_keys = itertools.count(1)


def spend(officer, body, status=201):
    response = officer.post("/api/v1/expenditures", json=body, headers={"Idempotency-Key": f"k-{next(_keys)}"})
    assert response.status_code == status, response.get_json()
    return response.get_json()


def entry(allocation, commission, kind, amount, voucher, **extra):
    return {"allocation_id": allocation, "commission_id": commission, "kind": kind, "amount": amount,
            "paid_on": "2026-06-01", "voucher_no": voucher, "payee": "Báo Gia Lai",
            "description": "Theo hợp đồng", **extra}


def test_settlements_recovery_direct_and_reversal(app, roles, budget):
    dic, finance = roles["dic"], roles["finance"]
    allocation = budget.allocation("dic", "press")
    c = builders.signed_commission(finance, dic, allocation, budget.suppliers["press"])  # value 20,000,000, 30% advance
    first, second = c["deliverables"]
    for d in (first, second):
        builders.deliver(dic, d["id"])
        builders.accept(dic, d["id"])  # accepted value 10,000,000 each
    before = support.get(finance, f"/api/v1/allocations/{allocation}")
    spend(dic, entry(allocation, c["id"], "advance", 6_000_000, "TU-01"))
    spend(dic, entry(allocation, c["id"], "advance", 1, "TU-02"), status=409)  # above 30 % of the value
    # above the advance: 4,000,000 of the advance applied, 6,000,000 paid
    spend(dic, entry(allocation, c["id"], "payment", 6_000_000, "TT-01", advance_applied=4_000_000,
                     deliverables=[{"deliverable_id": first["id"], "amount": 10_000_000}]))
    # below: 2,000,000 left of the advance, 1,500,000 applied, the rest recovered
    spend(dic, entry(allocation, c["id"], "payment", 0, "TT-02", advance_applied=1_500_000,
                     deliverables=[{"deliverable_id": second["id"], "amount": 1_500_000}]))
    spend(dic, entry(allocation, c["id"], "recovery", 500_000, "TH-01"))
    got = support.get(finance, f"/api/v1/commissions/{c['id']}")
    assert (got["advanced"], got["outstanding_advance"], got["paid"]) == (6_000_000, 0, 11_500_000)
    after = support.get(finance, f"/api/v1/allocations/{allocation}")
    assert after["spent"] - before["spent"] == 6_000_000 + 6_000_000 - 500_000
    assert after["committed"] == before["committed"] - 11_500_000
    paid = spend(dic, entry(allocation, c["id"], "payment", 8_500_000, "TT-03",
                            deliverables=[{"deliverable_id": second["id"], "amount": 8_500_000}]))
    reversal = support.ok(finance.post(f"/api/v1/expenditures/{paid['id']}/reverse", json={"reason": "Nhầm số tiền"}),
                          200)
    assert reversal["status"] == "reversed"
    assert finance.post(f"/api/v1/expenditures/{paid['id']}/reverse", json={"reason": "Lần nữa"}).status_code == 409
    assert support.get(finance, f"/api/v1/allocations/{allocation}")["spent"] == after["spent"]
    with app.app_context():
        assert check_ledger() == []
        db.session.remove()


def test_idempotency_key_is_required_and_replays(roles, budget):
    dic = roles["dic"]
    body = entry(budget.allocation("dic", "press"), None, "direct", 1_000, "CTT-01")
    assert dic.post("/api/v1/expenditures", json=body).status_code == 422
