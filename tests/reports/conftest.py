"""A province that has spent money, for the report tests: everything made through the API.

- the DIC (SVHTTDL) signed a press commission of 20,000,000 (two deliverables of 2 × 5,000,000),
  took an advance of 5,000,000, had both deliverables accepted, and paid 15,000,000 applying the
  advance (links 10,000,000 + 10,000,000);
- STP signed a training commission of 20,000,000, had its first deliverable accepted and paid
  10,000,000 for it; finance reversed that payment (the original and its reversal both stay);
- STP spent 3,000,000 directly on operations, with user text that looks like formulas;
- An Nhơn (another unit) spent 2,000,000 directly on training;
- the DIC proposed one more press commission that finance has not approved.
Spent in all: DIC 15,000,000 + 5,000,000 advance = 20,000,000; STP 3,000,000; An Nhơn 2,000,000.
"""
import itertools
from dataclasses import dataclass, field

import pytest

from tests import support as h
from tests.commissions import builders as cb
from tests.commissions.conftest import budget  # noqa: F401 - the fixture, shared

YEAR = h.YEAR
HOSTILE = '=HYPERLINK("http://x","y")'
_keys = itertools.count(1)


def spend(officer, body):
    response = officer.post("/api/v1/expenditures", json=body,
                            headers={"Idempotency-Key": f"report-{next(_keys)}"})
    return h.ok(response, 201)


def entry(allocation, commission, kind, amount, voucher, **extra):
    return {"allocation_id": allocation, "commission_id": commission, "kind": kind, "amount": amount,
            "paid_on": f"{YEAR}-06-01", "voucher_no": voucher, "payee": "Báo và Phát thanh, Truyền hình Gia Lai",
            "description": "Theo hợp đồng đặt hàng", **extra}


@dataclass
class Spending:
    budget: object
    press: dict                  # the DIC's press commission (after payment)
    training: dict               # STP's training commission
    advance: dict
    payment: dict
    reversed_payment: dict
    reversal: dict
    direct: dict                 # STP's direct spending with hostile text
    other_direct: dict           # An Nhơn's direct spending
    proposed: dict               # a press commission finance has not approved
    spent_by_unit: dict = field(default_factory=lambda: {"SVHTTDL": 20_000_000, "STP": 3_000_000,
                                                         "ANNHON": 2_000_000})

    @property
    def total_spent(self) -> int:
        return sum(self.spent_by_unit.values())


@pytest.fixture
def spending(roles, budget) -> Spending:  # noqa: F811 - the fixture imported above
    dic, unit, other, finance = roles["dic"], roles["unit"], roles["other_unit"], roles["finance"]
    press_allocation = budget.allocation("dic", "press")
    press = cb.signed_commission(finance, dic, press_allocation, budget.suppliers["press"])
    first, second = (d["id"] for d in press["deliverables"])
    advance = spend(dic, entry(press_allocation, press["id"], "advance", 5_000_000, "TU-01/2026"))
    for deliverable in (first, second):
        cb.deliver(dic, deliverable)
        cb.accept(dic, deliverable, record_no=f"BB-NT-{deliverable}")
    payment = spend(dic, entry(press_allocation, press["id"], "payment", 15_000_000, "TT-01/2026",
                               advance_applied=5_000_000,
                               deliverables=[{"deliverable_id": first, "amount": 10_000_000},
                                             {"deliverable_id": second, "amount": 10_000_000}]))

    training_allocation = budget.allocation("unit", "training")
    training = cb.signed_commission(finance, unit, training_allocation, budget.suppliers["training"],
                                    category="training")
    lesson = training["deliverables"][0]["id"]
    cb.deliver(unit, lesson)
    cb.accept(unit, lesson, record_no="BB-NT-STP-01")
    wrong = spend(unit, entry(training_allocation, training["id"], "payment", 10_000_000, "TT-STP-01",
                              deliverables=[{"deliverable_id": lesson, "amount": 10_000_000}]))
    h.ok(finance.post(f"/api/v1/expenditures/{wrong['id']}/reverse", json={"reason": "Thanh toán nhầm"}), 200)
    reversal, = h.get(finance, "/api/v1/expenditures?voucher_no=TT-STP-01/ĐẢO")["items"]

    direct = spend(unit, entry(budget.allocation("unit", "operations"), None, "direct", 3_000_000, "+CT-03",
                               payee="@Nhà in", description=HOSTILE))
    other_direct = spend(other, entry(budget.allocation("other_unit", "training"), None, "direct", 2_000_000,
                                      "CT-AN-01", payee="Trung tâm bồi dưỡng", description="Tập huấn"))
    proposed = cb.propose(dic, press_allocation, budget.suppliers["press"], title="Chưa duyệt")
    return Spending(budget, h.get(finance, f"/api/v1/commissions/{press['id']}"),
                    h.get(finance, f"/api/v1/commissions/{training['id']}"), advance, payment,
                    h.get(finance, f"/api/v1/expenditures/{wrong['id']}"), reversal, direct, other_direct, proposed)
