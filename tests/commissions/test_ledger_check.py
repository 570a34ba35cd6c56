"""`flask ledger check` (DESIGN §7): exit 0 on a ledger the services kept, exit 1 listing the row
whose balance was changed behind their back."""
import itertools

import pytest
import sqlalchemy as sa

from app.extensions import db
from tests import support
from tests.commissions import builders
from tests.fixtures.worlds import build_world, saved_world

YEAR = support.YEAR
_keys = itertools.count(1)


def spend(officer, body):
    return support.ok(officer.post("/api/v1/expenditures", json=body,
                                   headers={"Idempotency-Key": f"ledger-{next(_keys)}"}), 201)


@saved_world(scope="module")
def _ledger_world(app, _roles_world, _budget_world):
    return build_world(app, "ledger_check.ledger",
                       lambda: _build_ledger(_roles_world.clients(app), _budget_world.copy()), base=_budget_world)


@pytest.fixture
def ledger(_ledger_world):
    """An advance, a payment applying part of it, a direct spending and a reversed payment.
    Built once for the module, restored before each test."""
    return _ledger_world.copy()


def _build_ledger(roles, budget):
    dic, finance = roles["dic"], roles["finance"]
    allocation = budget.allocation("dic", "press")
    commission = builders.signed_commission(finance, dic, allocation, budget.suppliers["press"])
    deliverable = commission["deliverables"][0]["id"]
    builders.deliver(dic, deliverable)
    builders.accept(dic, deliverable)

    def body(kind, amount, voucher, **extra):
        return {"allocation_id": allocation, "commission_id": commission["id"], "kind": kind, "amount": amount,
                "paid_on": f"{YEAR}-06-01", "voucher_no": voucher, "payee": "Báo Gia Lai",
                "description": "Theo hợp đồng", **extra}

    spend(dic, body("advance", 3_000_000, "TU-01"))
    spend(dic, body("payment", 4_000_000, "TT-01", advance_applied=2_000_000,
                    deliverables=[{"deliverable_id": deliverable, "amount": 6_000_000}]))
    wrong = spend(dic, body("payment", 1_000_000, "TT-02",
                            deliverables=[{"deliverable_id": deliverable, "amount": 1_000_000}]))
    support.ok(finance.post(f"/api/v1/expenditures/{wrong['id']}/reverse", json={"reason": "Trùng chứng từ"}), 200)
    spend(dic, {**body("direct", 700_000, "PC-01"), "commission_id": None,
                "allocation_id": budget.allocation("dic", "training")})
    return {"commission": commission["id"], "deliverable": deliverable, "allocation": allocation}


def run_check(app):
    result = app.test_cli_runner().invoke(args=["ledger", "check"])
    return result.exit_code, result.output


def behind_the_services_back(app, sql, **params):
    with app.app_context():
        db.session.execute(sa.text(sql), params)
        db.session.commit()
        db.session.remove()


def test_a_consistent_ledger_passes(app, ledger):
    code, output = run_check(app)
    assert code == 0, output
    assert "khớp" in output


@pytest.mark.parametrize("sql,label,field", [
    ("UPDATE commissions SET paid = paid - 1 WHERE id = :commission", "đặt hàng", "paid"),
    ("UPDATE deliverables SET paid = paid - 1 WHERE id = :deliverable", "sản phẩm", "paid"),
    ("UPDATE allocations SET spent = spent - 1 WHERE id = :allocation", "phân bổ", "spent"),
], ids=["commission paid", "deliverable paid", "allocation spent"])
def test_a_balance_changed_behind_the_services_back_is_listed(app, ledger, sql, label, field):
    assert run_check(app)[0] == 0
    behind_the_services_back(app, sql, **ledger)
    code, output = run_check(app)
    assert code == 1, output
    record = ledger[{"đặt hàng": "commission", "sản phẩm": "deliverable", "phân bổ": "allocation"}[label]]
    lines = [line for line in output.splitlines() if line.strip()]
    have = expected_have(label, field)
    assert lines == [f"{label} {record}: {field} = {have}, tính lại được {have + 1}"], output  # only that row


def expected_have(label, field):
    """What the tampered row holds: one đồng below what the entries give."""
    return {("đặt hàng", "paid"): 6_000_000, ("sản phẩm", "paid"): 6_000_000,
            ("phân bổ", "spent"): 3_000_000 + 4_000_000}[label, field] - 1
