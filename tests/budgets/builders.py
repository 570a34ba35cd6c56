"""Spending of a past budget year made through the HTTP API, for the year-close tests (the
`past_year` world and the tests that add to it)."""
import itertools

from tests import support

PAST = 2025  # closed in these tests: its correction period ended on 31/01/2026
_keys = itertools.count(1)
_vouchers = itertools.count(1)


def spend(officer, allocation_id, kind, amount, *, commission_id=None, paid_on=f"{PAST}-11-20", status=201, **extra):
    body = {"allocation_id": allocation_id, "kind": kind, "amount": amount, "paid_on": paid_on,
            "voucher_no": f"YC-{next(_vouchers):04d}", "payee": "Báo và Phát thanh, Truyền hình Gia Lai",
            "description": "Theo hợp đồng", **extra}
    if commission_id is not None:
        body["commission_id"] = commission_id
    response = officer.post("/api/v1/expenditures", json=body, headers={"Idempotency-Key": f"yc-{next(_keys)}"})
    return support.ok(response, status)
