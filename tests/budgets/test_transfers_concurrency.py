"""Transfers between allocations under real parallel HTTP requests against a live server.

The source of a transfer never falls below committed + spent, whatever else runs at the same time:
other transfers out of it (to its own envelope and to another one), transfers the other way round
(the lock order, envelopes then allocations in ascending ids, keeps them from deadlocking) and
commission approvals reserving money on the same allocation. Runs on SQLite (BEGIN IMMEDIATE queues
writers) and PostgreSQL (guarded UPDATEs re-check the row after a concurrent writer commits). The
measured counts are printed (pytest -s).
"""
import time
from collections import Counter

import pytest

from app.core.audit import verify_chain
from app.extensions import db
from tests import support
from tests.commissions import builders

pytestmark = pytest.mark.usefixtures("quiet_server_log")
YEAR = support.YEAR


def body(source, target, amount):
    return {"from_allocation_id": source, "to_allocation_id": target, "amount": amount,
            "decision_no": "812/QĐ-UBND", "decision_date": f"{YEAR}-06-15", "reason": "Điều chỉnh dự toán"}


def post(url, token, payload):
    return lambda: support.post_json(url, payload, token=token)


def outcome(results):
    return Counter((status, answer.get("error")) for status, answer in results)


def database(app) -> str:
    return "PostgreSQL" if app.config["TEST_DB_URL"].startswith("postgresql") else "SQLite"


def check_everything(app, finance):
    """The chain verifies, `ledger check` passes, and no allocation uses more than it holds."""
    with app.app_context():
        _checked, problem = verify_chain()
        db.session.remove()
    assert problem is None, problem
    result = app.test_cli_runner().invoke(args=["ledger", "check"])
    assert result.exit_code == 0, result.output
    for a in support.get(finance, "/api/v1/allocations?per_page=200")["items"]:
        assert a["committed"] + a["spent"] <= a["amount"], a


@pytest.fixture
def source(roles):
    """The DIC's press allocation of 200,000,000 in envelope E1 with a signed commission of 20,000,000
    and an advance of 5,000,000 on it: 15,000,000 committed and 5,000,000 spent, 180,000,000 free.
    STP's allocation in E1 and An Nhơn's in E2 (room for 1,000,000,000) receive."""
    finance, dic = roles["finance"], roles["dic"]
    e1 = support.envelope(finance, 1_000_000_000)["id"]
    e2 = support.envelope(finance, 1_100_000_000)["id"]
    press = support.allocation(finance, e1, "SVHTTDL", 200_000_000)["id"]
    same_envelope = support.allocation(finance, e1, "STP", 100_000_000, category="training")["id"]
    other_envelope = support.allocation(finance, e2, "ANNHON", 100_000_000, category="training")["id"]
    supplier = builders.supplier(finance)["id"]
    commission = builders.signed_commission(finance, dic, press, supplier)
    support.ok(dic.post("/api/v1/expenditures", headers={"Idempotency-Key": "tu-race"}, json={
        "allocation_id": press, "commission_id": commission["id"], "kind": "advance", "amount": 5_000_000,
        "paid_on": f"{YEAR}-02-10", "voucher_no": "TU-01", "payee": "Báo Gia Lai", "description": "Tạm ứng"}), 201)
    return {"press": press, "same": same_envelope, "other": other_envelope, "e1": e1, "e2": e2,
            "supplier": supplier}


def test_ten_transfers_out_of_one_allocation_at_once(app, roles, source, live_server):
    """Ten transfers of 25,000,000 out of an allocation that can give 180,000,000: seven go through,
    three are refused, half of them to another envelope; the source keeps committed + spent."""
    finance = roles["finance"]
    url = live_server.url + "/api/v1/transfers"
    targets = [source["same"], source["other"]] * 5
    started = time.perf_counter()
    results = support.race([post(url, finance.token, body(source["press"], target, 25_000_000)) for target in targets])
    elapsed = time.perf_counter() - started
    counts = outcome(results)
    press = support.get(finance, f"/api/v1/allocations/{source['press']}")
    e1, e2 = (support.get(finance, f"/api/v1/envelopes/{source[key]}") for key in ("e1", "e2"))
    moved_across = sum(25_000_000 for (status, _), target in zip(results, targets)
                       if status == 201 and target == source["other"])
    print(f"\n[race transfers out, {database(app)}] {dict(counts)} in {elapsed:.2f} s; source amount="
          f"{press['amount']:,} transferred={press['transferred']:,} committed={press['committed']:,} "
          f"spent={press['spent']:,} available={press['available']:,}; moved to the other envelope="
          f"{moved_across:,}; E1 allocated={e1['allocated']:,}, E2 allocated={e2['allocated']:,}")
    assert all(status < 500 for status, _ in results), results
    assert counts == Counter({(201, None): 7, (409, "insufficient_funds"): 3})
    assert (press["amount"], press["transferred"], press["available"]) == (25_000_000, -175_000_000, 5_000_000)
    assert press["amount"] >= press["committed"] + press["spent"] == 20_000_000
    assert e1["allocated"] == 300_000_000 - moved_across and e2["allocated"] == 100_000_000 + moved_across
    assert support.list_total(finance, "/api/v1/transfers") == 7
    check_everything(app, finance)


def test_transfers_both_ways_between_two_envelopes_do_not_deadlock(app, roles, source, live_server):
    """Sixteen transfers at once, half out of the DIC's allocation into An Nhơn's (E1 → E2), half back
    (E2 → E1): each locks both envelopes then both allocations in ascending ids, so none waits on
    another in a circle; every one is answered, and whatever went through, the sums still hold."""
    finance = roles["finance"]
    url = live_server.url + "/api/v1/transfers"
    calls = [post(url, finance.token, body(source["press"], source["other"], 30_000_000)),
             post(url, finance.token, body(source["other"], source["press"], 20_000_000))] * 8
    started = time.perf_counter()
    results = support.race(calls)
    elapsed = time.perf_counter() - started
    counts = outcome(results)
    out_ok = sum(1 for status, _ in results[0::2] if status == 201)
    back_ok = sum(1 for status, _ in results[1::2] if status == 201)
    press = support.get(finance, f"/api/v1/allocations/{source['press']}")
    other = support.get(finance, f"/api/v1/allocations/{source['other']}")
    e1, e2 = (support.get(finance, f"/api/v1/envelopes/{source[key]}") for key in ("e1", "e2"))
    print(f"\n[race transfers both ways, {database(app)}] {dict(counts)} in {elapsed:.2f} s; out={out_ok} back="
          f"{back_ok}; source amount={press['amount']:,} (committed + spent="
          f"{press['committed'] + press['spent']:,}); E1 allocated={e1['allocated']:,}, "
          f"E2 allocated={e2['allocated']:,}")
    assert all(status in (201, 409) for status, _ in results), results
    assert set(counts) <= {(201, None), (409, "insufficient_funds")}
    net = 30_000_000 * out_ok - 20_000_000 * back_ok
    assert press["amount"] == 200_000_000 - net and other["amount"] == 100_000_000 + net
    assert press["transferred"] == -net and other["transferred"] == net
    assert e1["allocated"] + e2["allocated"] == 400_000_000 and e2["allocated"] == 100_000_000 + net
    assert support.list_total(finance, "/api/v1/transfers") == out_ok + back_ok
    check_everything(app, finance)


def test_transfers_race_commission_approvals_on_the_same_source(app, roles, source, live_server):
    """Five approvals of 20,000,000 and five transfers of 30,000,000 out of the allocation at once, asking
    for 250,000,000 of the 180,000,000 it has free: whatever the order, committed + spent stays within
    the amount, and the amount is what the transfers left."""
    finance, dic = roles["finance"], roles["dic"]
    proposed = [builders.propose(dic, source["press"], source["supplier"])["id"] for _ in range(5)]
    url = live_server.url
    approvals = [post(f"{url}/api/v1/commissions/{commission}/approve", finance.token, {}) for commission in proposed]
    transfers = [post(f"{url}/api/v1/transfers", finance.token, body(source["press"], source["same"], 30_000_000))
                 for _ in range(5)]
    calls = [call for pair in zip(approvals, transfers) for call in pair]
    started = time.perf_counter()
    results = support.race(calls)
    elapsed = time.perf_counter() - started
    approved = sum(1 for status, _ in results[0::2] if status == 200)
    transferred = sum(1 for status, _ in results[1::2] if status == 201)
    press = support.get(finance, f"/api/v1/allocations/{source['press']}")
    print(f"\n[race transfers + approvals, {database(app)}] {dict(outcome(results))} in {elapsed:.2f} s; approvals ok="
          f"{approved}, transfers ok={transferred}; source amount={press['amount']:,} committed="
          f"{press['committed']:,} spent={press['spent']:,} available={press['available']:,}")
    assert all(status in (200, 201, 409) for status, _ in results), results
    assert set(outcome(results)) <= {(200, None), (201, None), (409, "insufficient_funds")}
    assert press["amount"] == 200_000_000 - 30_000_000 * transferred
    assert press["committed"] == 15_000_000 + 20_000_000 * approved and press["spent"] == 5_000_000
    assert press["committed"] + press["spent"] <= press["amount"]
    assert 20_000_000 * approved + 30_000_000 * transferred <= 180_000_000
    # what is left could not take one more of either (each refusal saw too little)
    assert press["available"] < 30_000_000 or transferred == 5
    assert press["available"] < 20_000_000 or approved == 5
    check_everything(app, finance)
