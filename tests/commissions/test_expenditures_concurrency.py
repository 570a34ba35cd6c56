"""Real parallel HTTP requests against a live server: payments never pass a deliverable's accepted
value, and one Idempotency-Key records one expenditure however many copies arrive at once.

Runs on SQLite (BEGIN IMMEDIATE queues writers) and on PostgreSQL (row locks and guarded UPDATEs).
The measured counts are printed (pytest -s).
"""
import time
from collections import Counter

import pytest

from app.core.audit import verify_chain
from app.extensions import db
from commissions.expenditures.balances import check_balances as check_ledger
from tests import support
from tests.commissions import builders

pytestmark = pytest.mark.usefixtures("quiet_server_log")
YEAR = support.YEAR


def _database(app):
    return "PostgreSQL" if app.config["TEST_DB_URL"].startswith("postgresql") else "SQLite"


def _outcome(results):
    return Counter((status, body.get("error")) for status, body in results)


def _ledger_and_chain_hold(app):
    with app.app_context():
        problems = check_ledger()
        _checked, broken = verify_chain()
        db.session.remove()
    assert problems == [] and broken is None, (problems, broken)


def _accepted_deliverable(roles, budget):
    dic, finance = roles["dic"], roles["finance"]
    allocation = budget.allocation("dic", "press")
    commission = builders.signed_commission(finance, dic, allocation, budget.suppliers["press"])
    deliverable = commission["deliverables"][0]
    builders.deliver(dic, deliverable["id"])
    builders.accept(dic, deliverable["id"])
    return allocation, commission, support.get(dic, f"/api/v1/deliverables/{deliverable['id']}")


def _payment(allocation, commission, deliverable, amount, voucher):
    return {"allocation_id": allocation, "commission_id": commission["id"], "kind": "payment", "amount": amount,
            "paid_on": f"{YEAR}-06-01", "voucher_no": voucher, "payee": "Báo Gia Lai",
            "description": "Thanh toán theo nghiệm thu",
            "deliverables": [{"deliverable_id": deliverable["id"], "amount": amount}]}


def test_twenty_payments_of_a_tenth_plus_one_dong_at_once(app, roles, budget, live_server):
    dic, finance = roles["dic"], roles["finance"]
    allocation, commission, deliverable = _accepted_deliverable(roles, budget)
    accepted = deliverable["accepted_value"]
    assert accepted == 10_000_000
    share = accepted // 10 + 1
    url = f"{live_server.url}/api/v1/expenditures"
    audit_before = support.audit_total(finance)
    started = time.perf_counter()
    results = support.race([lambda i=i: support.post_json(url,
                                                          _payment(allocation, commission, deliverable, share,
                                                                   f"TT-{i:02d}"),
                                                          token=dic.token, key=f"race-pay-{i}") for i in range(20)])
    elapsed = time.perf_counter() - started
    counts = _outcome(results)
    paid = support.get(dic, f"/api/v1/deliverables/{deliverable['id']}")["paid"]
    got = support.get(dic, f"/api/v1/commissions/{commission['id']}")
    entries = support.list_total(finance, f"/api/v1/expenditures?commission_id={commission['id']}")
    print(f"\n[race payments, {_database(app)}] {dict(counts)} in {elapsed:.2f} s; accepted={accepted:,} "
          f"paid={paid:,}; commission paid={got['paid']:,}; expenditures={entries}")
    assert all(status < 500 for status, _ in results), results
    succeeded = counts[201, None]
    assert counts == Counter({(201, None): succeeded, (409, "rule_violation"): 20 - succeeded}), results
    assert paid == succeeded * share <= accepted
    assert succeeded == 9  # the requests queue: each finds what the earlier ones paid
    assert got["paid"] == paid and entries == succeeded
    assert support.audit_total(finance) == audit_before + succeeded
    _ledger_and_chain_hold(app)


def test_one_idempotency_key_sent_five_times_at_once_records_one_expenditure(app, roles, budget, live_server):
    dic, finance = roles["dic"], roles["finance"]
    allocation, commission, deliverable = _accepted_deliverable(roles, budget)
    body = _payment(allocation, commission, deliverable, 3_000_000, "TT-CUNG-KHOA")
    url = f"{live_server.url}/api/v1/expenditures"
    results = support.race([lambda: support.post_json(url, body, token=dic.token, key="cung-mot-khoa")] * 5)
    counts = _outcome(results)
    paid = support.get(dic, f"/api/v1/deliverables/{deliverable['id']}")["paid"]
    entries = support.list_total(finance, f"/api/v1/expenditures?commission_id={commission['id']}")
    print(f"\n[race one key, {_database(app)}] {dict(counts)}; expenditures={entries}; paid={paid:,}")
    assert counts == Counter({(201, None): 5}), results
    assert all(answer == results[0][1] for _status, answer in results)
    assert entries == 1 and paid == 3_000_000
    other = {**body, "amount": 2_000_000, "deliverables": [{"deliverable_id": deliverable["id"], "amount": 2_000_000}]}
    status, answer = support.post_json(url, other, token=dic.token, key="cung-mot-khoa")
    assert (status, answer["error"]) == (422, "idempotency_conflict"), answer
    assert support.list_total(finance, f"/api/v1/expenditures?commission_id={commission['id']}") == 1
    assert support.get(dic, f"/api/v1/deliverables/{deliverable['id']}")["paid"] == 3_000_000
    _ledger_and_chain_hold(app)


def test_one_payment_reversed_five_times_at_once_is_reversed_once(app, roles, budget, live_server):
    dic, finance = roles["dic"], roles["finance"]
    allocation, commission, deliverable = _accepted_deliverable(roles, budget)
    posted = support.ok(dic.post("/api/v1/expenditures", json=_payment(allocation, commission, deliverable, 4_000_000,
                                                                  "TT-DAO"), headers={"Idempotency-Key": "dao"}), 201)
    before = support.get(finance, f"/api/v1/allocations/{allocation}")
    url = f"{live_server.url}/api/v1/expenditures/{posted['id']}/reverse"
    results = support.race([lambda: support.post_json(url, {"reason": "Ghi trùng"}, token=finance.token)] * 5)
    counts = _outcome(results)
    after = support.get(finance, f"/api/v1/allocations/{allocation}")
    entries = support.list_total(finance, f"/api/v1/expenditures?commission_id={commission['id']}")
    print(f"\n[race reversals, {_database(app)}] {dict(counts)}; entries={entries}; "
          f"spent {before['spent']:,} -> {after['spent']:,}")
    assert counts == Counter({(200, None): 1, (409, "invalid_transition"): 4}), results
    assert entries == 2 and after["spent"] == before["spent"] - 4_000_000
    assert support.get(dic, f"/api/v1/deliverables/{deliverable['id']}")["paid"] == 0
    _ledger_and_chain_hold(app)


def test_one_voucher_number_sent_under_five_keys_at_once_is_recorded_once(app, roles, budget, live_server):
    dic, finance = roles["dic"], roles["finance"]
    training = budget.allocation("dic", "training")
    body = {"allocation_id": training, "kind": "direct", "amount": 1_000_000, "paid_on": f"{YEAR}-06-01",
            "voucher_no": "PC-CUNG-SO", "payee": "Trường Chính trị tỉnh", "description": "Lớp tập huấn"}
    url = f"{live_server.url}/api/v1/expenditures"
    results = support.race([lambda i=i: support.post_json(url, body, token=dic.token, key=f"so-{i}") for i in range(5)])
    counts = Counter((status, tuple(answer.get("details") or ())) for status, answer in results)
    spent = support.get(finance, f"/api/v1/allocations/{training}")["spent"]
    print(f"\n[race one voucher, {_database(app)}] {dict(counts)}; spent={spent:,}")
    assert counts == Counter({(201, ()): 1, (422, ("voucher_no",)): 4}), results
    assert spent == 1_000_000
    _ledger_and_chain_hold(app)
