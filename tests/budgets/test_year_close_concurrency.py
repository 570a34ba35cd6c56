"""A close racing payments on the same allocation, and two closes racing, over real parallel HTTP
requests (SQLite queues writers behind BEGIN IMMEDIATE; PostgreSQL takes the allocations' row locks):
a payment lands before the close and is counted, or it waits and is refused as `year_closed`."""
from collections import Counter

import pytest

from tests import support
from tests.budgets.test_year_close import PAST, consistent

pytestmark = pytest.mark.usefixtures("quiet_server_log")


def _payment(url, token, allocation_id, index):
    return lambda: support.post_json(url + "/api/v1/expenditures", {
        "allocation_id": allocation_id, "kind": "direct", "amount": 1_000_000, "paid_on": f"{PAST}-12-20",
        "voucher_no": f"RACE-{index:03d}", "payee": "Nhà in", "description": "In tài liệu"},
        token=token, key=f"race-close-{index}")


def test_a_close_racing_payments_counts_each_payment_once_or_refuses_it(app, roles, live_server):
    finance, unit = roles["finance"], roles["unit"]
    envelope = support.envelope(finance, 500_000_000, year=PAST)
    training = support.allocation(finance, envelope["id"], "STP", 100_000_000, category="training", year=PAST)
    calls = [_payment(live_server.url, unit.token, training["id"], i) for i in range(8)]
    calls.insert(4, lambda: support.post_json(live_server.url + f"/api/v1/years/{PAST}/close",
                                              {"decision_no": "215/STC-QLNS", "decision_date": f"{PAST + 1}-02-06"},
                                              token=finance.token))
    results = support.race(calls)
    close_status, _ = results.pop(4)
    counts = Counter((status, body.get("error")) for status, body in results)
    print(f"\n[race close × 8 payments] close {close_status}; payments {dict(counts)}")
    assert close_status == 200
    assert set(counts) <= {(201, None), (409, "year_closed")}, counts
    paid = counts[(201, None)] * 1_000_000
    year = support.get(finance, f"/api/v1/years/{PAST}")
    assert (year["spent"], year["cancelled"]) == (paid, 100_000_000 - paid)
    allocation = support.get(finance, f"/api/v1/allocations/{training['id']}")
    assert (allocation["spent"], allocation["available"]) == (paid, 0)
    consistent(app)


def test_two_closes_racing_close_the_year_once(app, roles, live_server):
    finance = roles["finance"]
    envelope = support.envelope(finance, 500_000_000, year=PAST)
    support.allocation(finance, envelope["id"], "STP", 100_000_000, category="training", year=PAST)
    url = live_server.url + f"/api/v1/years/{PAST}/close"
    results = support.race([lambda: support.post_json(url, {"decision_no": "215/STC-QLNS",
                                                            "decision_date": f"{PAST + 1}-02-06"},
                                                      token=finance.token)] * 4)
    counts = Counter((status, body.get("error")) for status, body in results)
    print(f"\n[race 4 closes] {dict(counts)}")
    assert counts == Counter({(200, None): 1, (409, "invalid_transition"): 3})
    consistent(app)
