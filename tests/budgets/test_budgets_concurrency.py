"""Real parallel HTTP requests against a live server: the money rules hold under races.

Runs on SQLite (BEGIN IMMEDIATE queues writers) and on PostgreSQL (guarded UPDATEs re-check the row
after waiting for a concurrent writer). The measured counts are printed (pytest -s).
"""
from collections import Counter

import pytest

from app.core.audit import verify_chain
from app.extensions import db
from tests import support

pytestmark = pytest.mark.usefixtures("quiet_server_log")


def race(calls):
    """Send every (url, token, body, key) at once; return [(status, body)] in order."""
    return support.race([lambda c=call: support.post_json(c[0], c[2], token=c[1], key=c[3] if len(c) > 3 else None)
                         for call in calls])


def outcome(results):
    return Counter((status, body.get("error")) for status, body in results)


def _chain_is_intact(app):
    with app.app_context():
        checked, problem = verify_chain()
        db.session.remove()
    assert problem is None, problem
    return checked


def test_thirty_allocations_race_for_twenty_slots(app, roles, live_server):
    finance = roles["finance"]
    env = support.envelope(finance, 1_000_000_000)
    audit_before = support.audit_total(finance)
    call = (live_server.url + "/api/v1/allocations", finance.token,
            support.allocation_body(env["id"], amount=50_000_000), None)
    results = race([call] * 30)
    counts = outcome(results)
    got = support.get(finance, f"/api/v1/envelopes/{env['id']}")
    print(f"\n[race allocations] {dict(counts)}; envelope total={got['total']:,} allocated={got['allocated']:,}")
    assert all(status < 500 for status, _ in results), results
    assert counts == Counter({(201, None): 20, (409, "insufficient_funds"): 10})
    assert (got["allocated"], got["available"]) == (1_000_000_000, 0)
    listed = support.get(finance, f"/api/v1/allocations?envelope_id={env['id']}&per_page=200")
    assert listed["total"] == 20 and sum(a["amount"] for a in listed["items"]) == 1_000_000_000
    assert support.audit_total(finance) == audit_before + 20
    _chain_is_intact(app)


def test_adjustments_race_with_allocations(app, roles, live_server):
    finance = roles["finance"]
    env = support.envelope(finance, 1_000_000_000)
    base = support.allocation(finance, env["id"], amount=500_000_000)
    adjust = (live_server.url + f"/api/v1/allocations/{base['id']}/adjustments", finance.token,
              {"amount": 50_000_000, "reason": "Bổ sung dự toán", "decision_no": "9/QĐ"}, None)
    allocate = (live_server.url + "/api/v1/allocations", finance.token,
                support.allocation_body(env["id"], "SVHTTDL", 50_000_000), None)
    results = race([adjust, allocate] * 10)
    counts = outcome(results)
    adjusted = Counter(status for status, _ in results[0::2])
    allocated = Counter(status for status, _ in results[1::2])
    got = support.get(finance, f"/api/v1/envelopes/{env['id']}")
    base_now = support.get(finance, f"/api/v1/allocations/{base['id']}")
    print(f"\n[race adjust+allocate] {dict(counts)}; adjustments ok={adjusted[201]} allocations ok={allocated[201]};"
          f" envelope allocated={got['allocated']:,}; base allocation={base_now['amount']:,}")
    assert all(status < 500 for status, _ in results), results
    assert counts == Counter({(201, None): 10, (409, "insufficient_funds"): 10})
    assert got["allocated"] == 1_000_000_000
    listed = support.get(finance, f"/api/v1/allocations?envelope_id={env['id']}&per_page=200")
    assert sum(a["amount"] for a in listed["items"]) == 1_000_000_000
    assert base_now["amount"] == 500_000_000 + 50_000_000 * adjusted[201]
    assert len(base_now["adjustments"]) == adjusted[201]
    assert listed["total"] == 1 + allocated[201]
    _chain_is_intact(app)


def test_allocations_race_for_one_request(app, roles, live_server):
    unit, finance = roles["unit"], roles["finance"]
    env = support.envelope(finance, 10_000_000_000)
    req = support.submitted_request(unit, support.line(500_000_000, "press"))
    call = (live_server.url + "/api/v1/allocations", finance.token,
            support.allocation_body(env["id"], amount=50_000_000, request_id=req["id"]), None)
    results = race([call] * 16)
    counts = outcome(results)
    got = support.get(unit, f"/api/v1/requests/{req['id']}")
    print(f"\n[race one request] {dict(counts)}; approved_total={got['approved_total']:,}"
          f" of {got['requested_total']:,}")
    assert counts == Counter({(201, None): 10, (409, "rule_violation"): 6})
    assert (got["approved_total"], got["status"]) == (500_000_000, "approved")
    assert support.get(finance, f"/api/v1/envelopes/{env['id']}")["allocated"] == 500_000_000
    _chain_is_intact(app)


def test_parallel_retries_with_one_idempotency_key_make_one_allocation(app, roles, live_server):
    finance = roles["finance"]
    env = support.envelope(finance, 1_000_000_000)
    call = (live_server.url + "/api/v1/allocations", finance.token,
            support.allocation_body(env["id"], amount=123_000_000), "lenh-chi-2026-0042")
    results = race([call] * 5)
    ids = {body.get("id") for _, body in results}
    print(f"\n[race idempotency] statuses={[status for status, _ in results]} ids={ids}")
    assert [status for status, _ in results] == [201] * 5, results
    assert len(ids) == 1 and None not in ids
    assert all(body == results[0][1] for _, body in results)
    assert support.list_total(finance, "/api/v1/allocations") == 1
    assert support.get(finance, f"/api/v1/envelopes/{env['id']}")["allocated"] == 123_000_000

    status, body = support.post_json(live_server.url + "/api/v1/allocations",
                                     support.allocation_body(env["id"], amount=1),
                                     token=finance.token, key="lenh-chi-2026-0042")
    assert (status, body["error"]) == (422, "idempotency_conflict")
    _chain_is_intact(app)


def test_parallel_status_changes_on_one_request(app, roles, live_server):
    """Six submits race on one draft; return and reject race on a submitted one."""
    unit, finance = roles["unit"], roles["finance"]
    draft = support.funding_request(unit)["id"]
    submitted = support.submitted_request(unit)["id"]
    url = live_server.url + "/api/v1/requests"
    results = race([(f"{url}/{draft}/submit", unit.token, {}, None),
                    (f"{url}/{draft}/submit", unit.token, {}, None),
                    (f"{url}/{submitted}/return", finance.token, {"reason": "Bổ sung"}, None),
                    (f"{url}/{submitted}/reject", finance.token, {"reason": "Từ chối"}, None)] * 3)
    counts = outcome(results)
    print(f"\n[race transitions] {dict(counts)}")
    assert counts == Counter({(200, None): 2, (409, "invalid_transition"): 10})
    assert support.get(unit, f"/api/v1/requests/{draft}")["status"] == "submitted"
    assert support.get(unit, f"/api/v1/requests/{submitted}")["status"] in ("returned", "rejected")
    _chain_is_intact(app)


def test_parallel_requests_get_distinct_numbers(app, roles, live_server):
    """The first request of a year creates its counter: racing first uses must not collide."""
    unit, dic = roles["unit"], roles["dic"]
    body = {"fiscal_year": 2031, "title": "Đề nghị song song", "lines": [support.line(1_000_000)]}
    url = live_server.url + "/api/v1/requests"
    results = race([(url, unit.token, body, None), (url, dic.token, body, None)] * 6)
    numbers = sorted(b.get("number") for _, b in results)
    print(f"\n[race numbering] statuses={Counter(s for s, _ in results)}")
    assert [s for s, _ in results] == [201] * 12, results
    assert numbers == [f"DN-2031-{n:04d}" for n in range(1, 13)]
    _chain_is_intact(app)
