"""Bad input on POST /api/v1/expenditures: a 4xx naming the field, never a 500, nothing created
(the whole database compared before and after each attempt)."""
import itertools

import pytest

from tests import support
from tests.commissions import builders
from tests.commissions.test_bad_input import EXTREME_DAYS, HUGE, TOMORROW, _check, _with
from tests.fixtures.worlds import build_world, saved_world

Y = support.YEAR
_keys = itertools.count(1)


def send(client, body, key=None):
    return client.post("/api/v1/expenditures", json=body,
                       headers={"Idempotency-Key": key or f"bad-{next(_keys)}"})


@saved_world(scope="module")
def _records_world(app, _roles_world, _budget_world):
    return build_world(app, "expenditure_bad_input.records",
                       lambda: _build_records(_roles_world.clients(app), _budget_world.copy()), base=_budget_world)


@pytest.fixture
def records(_records_world):
    """A DIC press commission, signed, its first deliverable accepted (10,000,000); a proposed STP
    commission; a direct spending of the DIC with voucher PC-DA-DUNG.
    Built once for the module, restored before each test."""
    return _records_world.copy()


def _build_records(roles, budget):
    dic, finance = roles["dic"], roles["finance"]
    alloc = budget.allocation("dic", "press")
    signed = builders.signed_commission(finance, dic, alloc, budget.suppliers["press"])
    accepted, planned = (d["id"] for d in signed["deliverables"])
    builders.deliver(dic, accepted)
    builders.accept(dic, accepted)
    other = builders.signed_commission(finance, dic, budget.allocation("dic", "it_monitoring"),
                                       budget.suppliers["it_service"], category="it_monitoring")
    theirs = builders.unit_commission(roles, budget)
    training = budget.allocation("dic", "training")
    support.ok(send(dic, direct(training, voucher_no="PC-DA-DUNG")), 201)
    return {"allocation": alloc, "commission": signed["id"], "accepted": accepted, "planned": planned,
            "other_commission": other["id"], "stp_commission": theirs["id"], "training": training,
            "stp_training": budget.allocation("unit", "training"),
            "annhon_training": budget.allocation("other_unit", "training")}


def direct(allocation, **change):
    return {"allocation_id": allocation, "kind": "direct", "amount": 1_000_000, "paid_on": f"{Y}-06-01",
            "voucher_no": "PC-01", "payee": "Trường Chính trị tỉnh", "description": "Lớp tập huấn", **change}


def payment(records):
    return {"allocation_id": records["allocation"], "commission_id": records["commission"], "kind": "payment",
            "amount": 2_000_000, "advance_applied": 0, "paid_on": f"{Y}-06-01", "voucher_no": "TT-01",
            "payee": "Báo Gia Lai", "description": "Thanh toán theo nghiệm thu",
            "deliverables": [{"deliverable_id": records["accepted"], "amount": 2_000_000}]}


def _cases(base, mutations):
    return [(f"{'.'.join(map(str, path))}={value!r}"[:80], _with(base, path, value), field or path[0])
            for path, value, *rest in mutations for field in [rest[0] if rest else None]]


def test_direct_spending(app, roles, records):
    base = direct(records["training"])
    mutations = [
        (("allocation_id",), "1"), (("allocation_id",), 1.5), (("allocation_id",), True),
        (("allocation_id",), None), (("allocation_id",), 0), (("allocation_id",), -1),
        (("allocation_id",), 2**31), (("allocation_id",), HUGE), (("allocation_id",), 999_999),
        (("allocation_id",), ...),
        (("allocation_id",), records["stp_training"]),      # another unit's reads as unknown
        (("allocation_id",), records["annhon_training"]),
        (("commission_id",), records["commission"]),        # direct spending names no commission
        (("commission_id",), "x"), (("commission_id",), 0),
        (("kind",), "gift"), (("kind",), 1), (("kind",), ...), (("kind",), "DIRECT"),
        (("amount",), 0), (("amount",), -1), (("amount",), 1.5), (("amount",), "1000000"),
        (("amount",), None), (("amount",), ...), (("amount",), HUGE), (("amount",), 10**16),
        (("amount",), 500_000_001),                         # above what the allocation holds
        (("advance_applied",), -1), (("advance_applied",), 1_000),  # only payments apply an advance
        (("paid_on",), f"{Y}-02-30"), (("paid_on",), "01/06/2026"), (("paid_on",), ...), (("paid_on",), None),
        (("paid_on",), f"{Y - 1}-12-31"), (("paid_on",), f"{Y + 2}-01-01"), (("paid_on",), TOMORROW),
        *((("paid_on",), day) for day in EXTREME_DAYS),
        (("voucher_no",), ""), (("voucher_no",), "   "), (("voucher_no",), ...), (("voucher_no",), None),
        (("voucher_no",), "N" * 61), (("voucher_no",), 12), (("voucher_no",), "PC-DA-DUNG"),
        (("voucher_no",), "  PC-DA-DUNG "),
        (("payee",), ""), (("payee",), ...), (("payee",), "P" * 256),
        (("description",), " "), (("description",), ...), (("description",), "D" * 2001),
        (("deliverables",), [{"deliverable_id": records["accepted"], "amount": 1_000_000}]),
        (("deliverables",), "abc"),
        (("number",), "CT-2026-0001"), (("status",), "reversed"),
    ]
    cases = _cases(base, mutations)
    cases.append(("not an object", [base], "_schema"))
    failures = _check(app, roles["dic"], cases, send)
    assert not failures, "\n".join(failures)
    negative = send(roles["dic"], {**base, "amount": -1}).get_json()["details"]["amount"]
    assert negative == ["Số tiền phải từ 0 đến 1.000.000.000.000.000 đồng."]  # in the user's language
    created = support.ok(send(roles["dic"], base), 201)   # the same body, mended, goes through
    assert (created["kind"], created["amount"], created["status"]) == ("direct", 1_000_000, "posted")
    # a voucher number is unique per unit: STP may use the DIC's
    stp = support.ok(send(roles["unit"], direct(records["stp_training"], voucher_no="PC-DA-DUNG")), 201)
    assert stp["voucher_no"] == "PC-DA-DUNG"


def test_payments(app, roles, records):
    base = payment(records)
    line = base["deliverables"][0]
    mutations = [
        (("commission_id",), ...), (("commission_id",), None), (("commission_id",), "1"),
        (("commission_id",), 999_999), (("commission_id",), HUGE),
        (("commission_id",), records["stp_commission"]),      # another unit's reads as unknown
        (("commission_id",), records["other_commission"]),    # a commission of another allocation
        (("deliverables",), []), (("deliverables",), ...), (("deliverables",), None), (("deliverables",), [1]),
        (("deliverables",), [line] * 101), (("deliverables",), [line, line]),
        (("deliverables", 0, "deliverable_id"), "x"), (("deliverables", 0, "deliverable_id"), ...),
        (("deliverables", 0, "deliverable_id"), 999_999), (("deliverables", 0, "deliverable_id"), HUGE),
        (("deliverables", 0, "amount"), -2_000_000), (("deliverables", 0, "amount"), "2000000"),
        (("deliverables", 0, "amount"), 1.5), (("deliverables", 0, "amount"), ...),
        (("deliverables", 0, "extra"), "?"),
        (("advance_applied",), -1), (("advance_applied",), "0"), (("advance_applied",), HUGE),
        (("amount",), -1), (("amount",), HUGE),
        (("paid_on",), f"{Y}-01-31"),                          # before the contract was signed (01/02)
        (("paid_on",), TOMORROW), *((("paid_on",), day) for day in EXTREME_DAYS),
    ]
    cases = _cases(base, mutations)
    cases.append(("nothing paid", {**base, "amount": 0, "deliverables": [{**line, "amount": 0}]}, "deliverables"))
    failures = _check(app, roles["dic"], cases, send)
    assert not failures, "\n".join(failures)
    assert support.ok(send(roles["dic"], base), 201)["deliverables"] == base["deliverables"]


def test_the_idempotency_key(app, roles, records):
    base = direct(records["training"])
    before = support.database_fingerprint(app)
    for label, headers in (("missing", {}), ("blank", {"Idempotency-Key": ""}),
                           ("too long", {"Idempotency-Key": "k" * 201}),
                           ("not printable", {"Idempotency-Key": "k\tk"})):
        response = roles["dic"].post("/api/v1/expenditures", json=base, headers=headers)
        assert 400 <= response.status_code < 500, (label, response.get_json())
        assert "Idempotency-Key" in response.get_json()["details"], (label, response.get_json())
    assert support.database_fingerprint(app) == before
