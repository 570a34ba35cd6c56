"""Spending made through the HTTP API for the report tests (the `spending` world and the tests
that add to it)."""
import itertools

from tests import support

YEAR = support.YEAR
HOSTILE = '=HYPERLINK("http://x","y")'
_keys = itertools.count(1)


def spend(officer, body):
    response = officer.post("/api/v1/expenditures", json=body,
                            headers={"Idempotency-Key": f"report-{next(_keys)}"})
    return support.ok(response, 201)


def entry(allocation, commission, kind, amount, voucher, **extra):
    return {"allocation_id": allocation, "commission_id": commission, "kind": kind, "amount": amount,
            "paid_on": f"{YEAR}-06-01", "voucher_no": voucher, "payee": "Báo và Phát thanh, Truyền hình Gia Lai",
            "description": "Theo hợp đồng đặt hàng", **extra}
