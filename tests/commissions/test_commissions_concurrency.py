"""Real parallel HTTP requests against a live server: commitments never pass the allocation.

Runs on SQLite (BEGIN IMMEDIATE queues writers) and on PostgreSQL (the allocation's row lock and
its guarded UPDATE re-check the row after waiting for a concurrent writer). The measured counts
are printed (pytest -s).
"""
import time
from collections import Counter

import pytest

from app.core.audit import verify_chain
from app.extensions import db
from tests import support
from tests.commissions import builders

pytestmark = pytest.mark.usefixtures("quiet_server_log")


def _outcome(results):
    return Counter((status, body.get("error")) for status, body in results)


def _chain_is_intact(app):
    with app.app_context():
        checked, problem = verify_chain()
        db.session.remove()
    assert problem is None, problem
    return checked


def _database(app):
    return "PostgreSQL" if app.config["TEST_DB_URL"].startswith("postgresql") else "SQLite"


def test_ten_approvals_of_thirty_percent_each_at_once(app, roles, budget, live_server):
    dic, finance = roles["dic"], roles["finance"]
    alloc = budget.allocation("dic", "press")  # 500,000,000
    commissions = [builders.press_commission(roles, budget,
                                             builders.item(f"Chuyên mục {i}", quantity=3, unit_price=50_000_000))
                   for i in range(10)]
    assert {c["value"] for c in commissions} == {150_000_000}  # 30% of the allocation each
    audit_before = support.audit_total(finance)
    started = time.perf_counter()
    results = support.race([lambda c=c: support.post_json(f"{live_server.url}/api/v1/commissions/{c['id']}/approve", {},
                                                          token=finance.token) for c in commissions])
    elapsed = time.perf_counter() - started
    counts = _outcome(results)
    got = support.get(finance, f"/api/v1/allocations/{alloc}")
    statuses = Counter(support.get(dic, f"/api/v1/commissions/{c['id']}")["status"] for c in commissions)
    print(f"\n[race commitments, {_database(app)}] {dict(counts)} in {elapsed:.2f} s; allocation amount="
          f"{got['amount']:,} committed={got['committed']:,} available={got['available']:,}; "
          f"commissions {dict(statuses)}")
    assert all(status < 500 for status, _ in results), results
    approved = counts[200, None]
    assert approved <= 3 and counts == Counter({(200, None): approved, (409, "insufficient_funds"): 10 - approved})
    assert approved == 3  # the requests queue: each finds what the earlier ones left
    assert got["committed"] == 150_000_000 * approved <= got["amount"]
    assert got["available"] == got["amount"] - got["committed"]
    assert statuses == Counter({"approved": approved, "proposed": 10 - approved})
    assert sum(support.get(dic, f"/api/v1/commissions/{c['id']}")["committed"] for c in commissions) == got["committed"]
    assert support.audit_total(finance) == audit_before + approved
    _chain_is_intact(app)


def test_one_commission_approved_ten_times_at_once_commits_once(app, roles, budget, live_server):
    finance = roles["finance"]
    commission = builders.press_commission(roles, budget)
    url = f"{live_server.url}/api/v1/commissions/{commission['id']}/approve"
    results = support.race([lambda: support.post_json(url, {}, token=finance.token)] * 10)
    counts = _outcome(results)
    got = support.get(finance, f"/api/v1/allocations/{budget.allocation('dic', 'press')}")
    print(f"\n[race one approval, {_database(app)}] {dict(counts)}; committed={got['committed']:,}")
    assert counts == Counter({(200, None): 1, (409, "invalid_transition"): 9}), results
    assert got["committed"] == commission["value"]
    _chain_is_intact(app)


def test_cancel_close_and_approvals_race_on_one_allocation(app, roles, budget, live_server):
    """Finance approves while the DIC cancels one commission and closes another on the same
    allocation: whatever the order, the allocation holds exactly what the approved and signed
    commissions hold, and none of it waits in a circle (no deadlock, no 5xx)."""
    dic, finance = roles["dic"], roles["finance"]
    alloc = budget.allocation("dic", "press")
    supplier = budget.suppliers["press"]
    to_cancel = builders.propose(dic, alloc, supplier, builders.item(quantity=1, unit_price=200_000_000))
    builders.approve(finance, to_cancel["id"])
    to_close = builders.signed_commission(finance, dic, alloc, supplier,
                                          builders.item(quantity=1, unit_price=200_000_000))
    builders.resolve_all(dic, to_close)
    waiting = [builders.press_commission(roles, budget, builders.item(quantity=1, unit_price=100_000_000))
               for _ in range(6)]
    url = live_server.url + "/api/v1/commissions"
    calls = [lambda: support.post_json(f"{url}/{to_cancel['id']}/cancel", {"reason": "Hủy đặt hàng"}, token=dic.token),
             lambda: support.post_json(f"{url}/{to_close['id']}/close", {}, token=dic.token)]
    calls += [lambda c=c: support.post_json(f"{url}/{c['id']}/approve", {}, token=finance.token) for c in waiting]
    results = support.race(calls)
    counts = _outcome(results)
    got = support.get(finance, f"/api/v1/allocations/{alloc}")
    print(f"\n[race cancel+close+approve, {_database(app)}] {dict(counts)}; committed={got['committed']:,}")
    assert all(status < 500 for status, _ in results), results
    assert [status for status, _ in results[:2]] == [200, 200]
    approved = sum(1 for status, _ in results[2:] if status == 200)
    assert 1 <= approved <= 5 and got["committed"] == 100_000_000 * approved <= got["amount"]
    held = sum(support.get(finance, f"/api/v1/commissions/{c['id']}")["committed"]
               for c in [to_cancel, to_close, *waiting])
    assert held == got["committed"]
    _chain_is_intact(app)


def test_one_tax_code_added_five_times_at_once_makes_one_supplier(app, roles, live_server):
    body = {"name": "Báo Gia Lai", "kind": "press", "tax_code": "5900181213"}
    results = support.race([lambda who=who: support.post_json(f"{live_server.url}/api/v1/suppliers", body,
                                                              token=roles[who].token)
                            for who in ("finance", "dic", "admin", "finance", "dic")])
    counts = Counter((status, tuple(body.get("details", {}))) for status, body in results)
    print(f"\n[race supplier, {_database(app)}] {dict(counts)}")
    assert counts == Counter({(201, ()): 1, (422, ("tax_code",)): 4}), results
    assert support.get(roles["finance"], "/api/v1/suppliers")["total"] == 1
    _chain_is_intact(app)


def test_closing_and_delivering_again_race_and_only_one_wins(app, roles, budget, live_server):
    """Five signed commissions whose first deliverable was rejected: for each, a close and a new
    delivery of that deliverable arrive at once. Either the commission closes and the delivery is
    refused, or the delivery lands and the closing is refused: never a closed contract with a
    deliverable waiting for acceptance."""
    dic, finance = roles["dic"], roles["finance"]
    signed = []
    for _ in range(5):
        commission = builders.signed_commission(finance, dic, budget.allocation("dic", "press"),
                                                budget.suppliers["press"])
        builders.resolve_all(dic, commission)
        signed.append(commission)
    url = live_server.url + "/api/v1"
    calls = []
    for commission in signed:
        calls.append(lambda c=commission: support.post_json(f"{url}/commissions/{c['id']}/close", {}, token=dic.token))
        calls.append(lambda c=commission: support.post_json(
            f"{url}/deliverables/{c['deliverables'][0]['id']}/deliver",
            {"delivered_on": f"{support.YEAR}-08-01", "quantity": 1}, token=dic.token))
    results = support.race(calls)
    counts = _outcome(results)
    print(f"\n[race close+deliver, {_database(app)}] {dict(counts)}")
    assert all(status < 500 for status, _ in results), results
    for index, commission in enumerate(signed):
        closed, delivered = results[2 * index][0], results[2 * index + 1][0]
        assert sorted((closed, delivered)) == [200, 409], (closed, delivered)
        got = support.get(dic, f"/api/v1/commissions/{commission['id']}")
        statuses = [d["status"] for d in got["deliverables"]]
        assert (got["status"], statuses[0]) == (("closed", "rejected") if closed == 200 else ("signed", "delivered"))
    _chain_is_intact(app)
