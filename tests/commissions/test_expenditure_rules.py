"""Rules 4-6 on expenditures (DESIGN §5): every refusal is a 409 with its code and changes nothing;
a reversal restores every balance; the three settlement cases of Decree 347/2025/NĐ-CP art. 6."""
import itertools

import pytest

from app.extensions import db
from commissions.expenditures.balances import check_balances as check_ledger
from tests import support
from tests.commissions import builders

YEAR = support.YEAR
_keys = itertools.count(1)
_vouchers = itertools.count(1)


def post(officer, body):
    return officer.post("/api/v1/expenditures", json=body, headers={"Idempotency-Key": f"rule-{next(_keys)}"})


def spend(officer, body):
    return support.ok(post(officer, body), 201)


def entry(allocation, commission, kind, amount, **extra):
    return {"allocation_id": allocation, "commission_id": commission, "kind": kind, "amount": amount,
            "paid_on": f"{YEAR}-06-01", "voucher_no": f"CT-{next(_vouchers):03d}", "payee": "Báo Gia Lai",
            "description": "Theo hợp đồng", **extra}


def line(deliverable, amount):
    return {"deliverable_id": deliverable, "amount": amount}


def ledger_is_consistent(app):
    with app.app_context():
        problems = check_ledger()
        db.session.remove()
    assert problems == []


class World:
    """A DIC press commission, signed, value 20,000,000 (two deliverables of 2 × 5,000,000), 30 %
    advance allowed; `accept` accepts a deliverable with the quantity given."""

    def __init__(self, app, roles, budget):
        self.app, self.dic, self.finance = app, roles["dic"], roles["finance"]
        self.allocation = budget.allocation("dic", "press")
        self.supplier = budget.suppliers["press"]
        self.commission = builders.signed_commission(self.finance, self.dic, self.allocation, self.supplier)
        self.first, self.second = (d["id"] for d in self.commission["deliverables"])

    def accept(self, deliverable, quantity=2):
        builders.deliver(self.dic, deliverable)
        builders.accept(self.dic, deliverable, accepted_quantity=quantity)

    def body(self, kind, amount, **extra):
        return entry(self.allocation, self.commission["id"], kind, amount, **extra)

    def balances(self, commission=None):
        """Everything a refusal must leave as it was."""
        commission = commission or self.commission["id"]
        a = support.get(self.finance, f"/api/v1/allocations/{self.allocation}")
        c = support.get(self.finance, f"/api/v1/commissions/{commission}")
        return {
            "allocation": (a["committed"], a["spent"], a["available"]),
            "commission": (c["status"], c["committed"], c["advanced"], c["outstanding_advance"], c["paid"],
                           c["remaining"]),
            "deliverables": [(d["id"], d["status"], d["paid"]) for d in c["deliverables"]]
            if "deliverables" in c else [(d, support.get(self.finance, f"/api/v1/deliverables/{d}")["paid"])
                                         for d in (self.first, self.second)],
            "expenditures": support.list_total(self.finance, "/api/v1/expenditures"),
            "audit": support.audit_total(self.finance),
        }

    def refused(self, body, code, *, officer=None, commission=None):
        before = self.balances(commission)
        response = post(officer or self.dic, body)
        assert response.status_code == 409, response.get_json()
        assert response.get_json()["error"] == code, response.get_json()
        assert self.balances(commission) == before
        return response.get_json()


@pytest.fixture
def world(app, roles, budget):
    return World(app, roles, budget)


# --- refusals of rules 4-6 --------------------------------------------------------------------------

def test_advance_above_the_limit(world):
    world.refused(world.body("advance", 6_000_001), "rule_violation")  # 30 % of 20,000,000 is 6,000,000
    spend(world.dic, world.body("advance", 4_000_000))
    got = world.refused(world.body("advance", 2_000_001), "rule_violation")
    assert "amount" in got["details"]
    spend(world.dic, world.body("advance", 2_000_000))  # exactly the limit
    ledger_is_consistent(world.app)


def test_payment_on_an_unaccepted_deliverable(world):
    world.refused(world.body("payment", 1_000_000, deliverables=[line(world.first, 1_000_000)]), "rule_violation")
    builders.deliver(world.dic, world.first)  # delivered, not yet accepted
    got = world.refused(world.body("payment", 1_000_000, deliverables=[line(world.first, 1_000_000)]),
                        "rule_violation")
    assert "deliverables" in got["details"]


def test_payment_on_another_commissions_deliverable(world):
    other = builders.signed_commission(world.finance, world.dic, world.allocation, world.supplier)
    theirs = other["deliverables"][0]["id"]
    builders.deliver(world.dic, theirs)
    builders.accept(world.dic, theirs)
    got = world.refused(world.body("payment", 1_000_000, deliverables=[line(theirs, 1_000_000)]),
                        "rule_violation")
    assert "deliverables" in got["details"]
    assert support.get(world.finance, f"/api/v1/deliverables/{theirs}")["paid"] == 0


def test_payment_above_the_accepted_value_and_above_what_remains_unpaid(world):
    world.accept(world.first, quantity=1)  # accepted value 5,000,000
    world.refused(world.body("payment", 5_000_001, deliverables=[line(world.first, 5_000_001)]), "rule_violation")
    spend(world.dic, world.body("payment", 3_000_000, deliverables=[line(world.first, 3_000_000)]))
    got = world.refused(world.body("payment", 2_000_001, deliverables=[line(world.first, 2_000_001)]),
                        "rule_violation")
    assert "deliverables" in got["details"]
    spend(world.dic, world.body("payment", 2_000_000, deliverables=[line(world.first, 2_000_000)]))
    assert support.get(world.finance, f"/api/v1/deliverables/{world.first}")["paid"] == 5_000_000
    ledger_is_consistent(world.app)


def test_links_must_sum_to_the_amount_plus_the_advance_applied(world):
    world.accept(world.first)
    world.accept(world.second)
    spend(world.dic, world.body("advance", 3_000_000))
    world.refused(world.body("payment", 1_000_000, deliverables=[line(world.first, 999_999)]), "rule_violation")
    world.refused(world.body("payment", 1_000_000, deliverables=[line(world.first, 600_000),
                                                                 line(world.second, 600_000)]), "rule_violation")
    world.refused(world.body("payment", 1_000_000, advance_applied=500_000,
                             deliverables=[line(world.first, 1_000_000)]), "rule_violation")
    spend(world.dic, world.body("payment", 1_000_000, advance_applied=500_000,
                                deliverables=[line(world.first, 900_000), line(world.second, 600_000)]))
    ledger_is_consistent(world.app)


def test_advance_applied_above_what_is_outstanding(world):
    world.accept(world.first)
    spend(world.dic, world.body("advance", 2_000_000))
    got = world.refused(world.body("payment", 0, advance_applied=2_000_001,
                                   deliverables=[line(world.first, 2_000_001)]), "rule_violation")
    assert "advance_applied" in got["details"]


def test_recovery_above_the_outstanding_advance(world):
    world.refused(world.body("recovery", 1), "rule_violation")  # no advance at all
    spend(world.dic, world.body("advance", 2_000_000))
    got = world.refused(world.body("recovery", 2_000_001), "rule_violation")
    assert "amount" in got["details"]
    spend(world.dic, world.body("recovery", 2_000_000))
    ledger_is_consistent(world.app)


@pytest.mark.parametrize("state", ["proposed", "approved", "cancelled", "closed"])
def test_no_spending_on_a_commission_that_is_not_signed(world, state):
    commission = builders.propose(world.dic, world.allocation, world.supplier)
    if state != "proposed":
        builders.approve(world.finance, commission["id"])
    if state == "cancelled":
        support.ok(world.dic.post(f"/api/v1/commissions/{commission['id']}/cancel", json={"reason": "Thôi"}), 200)
    if state == "closed":
        builders.sign(world.dic, commission["id"])
        builders.resolve_all(world.dic, commission)
        support.ok(world.dic.post(f"/api/v1/commissions/{commission['id']}/close", json={
            "liquidation_no": "TL-01", "liquidated_on": f"{YEAR}-09-30"}), 200)
    assert support.get(world.dic, f"/api/v1/commissions/{commission['id']}")["status"] == state
    accepted = commission["deliverables"][1]["id"]
    for kind, extra in (("advance", {}), ("recovery", {}),
                        ("payment", {"deliverables": [line(accepted, 1_000_000)]})):
        got = world.refused(entry(world.allocation, commission["id"], kind, 1_000_000, **extra),
                            "invalid_transition", commission=commission["id"])
        assert "commission_id" in got["details"]


def test_no_direct_spending_on_a_press_allocation(world, budget):
    got = world.refused(entry(world.allocation, None, "direct", 1_000_000), "rule_violation")
    assert "allocation_id" in got["details"]
    training = budget.allocation("dic", "training")
    spend(world.dic, entry(training, None, "direct", 1_000_000))
    assert support.get(world.finance, f"/api/v1/allocations/{training}")["spent"] == 1_000_000


# --- reversals ----------------------------------------------------------------------------------

def reverse(finance, expenditure, status=200):
    response = finance.post(f"/api/v1/expenditures/{expenditure}/reverse", json={"reason": "Ghi sai"})
    assert response.status_code == status, response.get_json()
    return response.get_json()


def test_a_reversal_cannot_be_reversed_nor_an_entry_reversed_twice(world):
    advance = spend(world.dic, world.body("advance", 1_000_000))
    reverse(world.finance, advance["id"])
    reversal = support.get(world.finance, f"/api/v1/expenditures?commission_id={world.commission['id']}")["items"]
    reversal_id = next(item["id"] for item in reversal if item["reversal_of"] == advance["id"])
    for target in (advance["id"], reversal_id):
        before = world.balances()
        got = reverse(world.finance, target, status=409)
        assert got["error"] == "invalid_transition"
        assert world.balances() == before
    ledger_is_consistent(world.app)


def test_each_reversal_restores_every_balance_exactly(world, budget):
    world.accept(world.first)
    world.accept(world.second)
    training = budget.allocation("dic", "training")
    start, training_start = world.balances(), support.get(world.finance, f"/api/v1/allocations/{training}")
    entries = [
        spend(world.dic, world.body("advance", 5_000_000)),
        spend(world.dic, world.body("payment", 4_000_000, advance_applied=3_000_000,
                                    deliverables=[line(world.first, 6_000_000), line(world.second, 1_000_000)])),
        spend(world.dic, world.body("recovery", 1_500_000)),
        spend(world.dic, world.body("payment", 0, advance_applied=500_000,
                                    deliverables=[line(world.second, 500_000)])),
        spend(world.dic, entry(training, None, "direct", 700_000)),
    ]
    states = [world.balances()]
    ledger_is_consistent(world.app)
    for posted in reversed(entries):  # latest first: each undoes exactly its own movement
        reverse(world.finance, posted["id"])
        states.append(world.balances())
        ledger_is_consistent(world.app)
    final = states[-1]
    assert final["allocation"] == start["allocation"]
    assert final["commission"] == start["commission"]
    assert final["deliverables"] == start["deliverables"]
    assert final["expenditures"] == start["expenditures"] + 2 * len(entries)
    got = support.get(world.finance, f"/api/v1/allocations/{training}")
    assert (got["spent"], got["available"]) == (training_start["spent"], training_start["available"])
    # after undoing the recovery (third reversal) the outstanding advance is back to what it was
    assert states[3]["commission"][3] == 1_500_000 + 500_000
    assert all(e["status"] == "reversed" for e in (support.get(world.finance, f"/api/v1/expenditures/{p['id']}")
                                                    for p in entries))


def test_a_reversal_is_refused_when_it_would_break_a_rule(world):
    """Reversing a recovery puts the advance back: still within the limit here; reversing an advance
    whose money a payment applied would make the outstanding advance negative."""
    world.accept(world.first)
    advance = spend(world.dic, world.body("advance", 2_000_000))
    spend(world.dic, world.body("payment", 0, advance_applied=2_000_000,
                                deliverables=[line(world.first, 2_000_000)]))
    before = world.balances()
    got = reverse(world.finance, advance["id"], status=409)
    assert got["error"] == "rule_violation"
    assert world.balances() == before
    ledger_is_consistent(world.app)


# --- cancel and close wait for the advance --------------------------------------------------------

def test_cancel_and_close_are_refused_while_an_advance_is_outstanding(world):
    world.accept(world.first)
    world.accept(world.second)
    spend(world.dic, world.body("advance", 1_000_000))
    cid = world.commission["id"]
    for action, body in (("cancel", {"reason": "Thôi"}),
                         ("close", {"liquidation_no": "TL-01", "liquidated_on": f"{YEAR}-09-30"})):
        before = world.balances()
        response = world.dic.post(f"/api/v1/commissions/{cid}/{action}", json=body)
        assert response.status_code == 409 and response.get_json()["error"] == "rule_violation", response.get_json()
        assert "outstanding_advance" in response.get_json()["details"]
        assert world.balances() == before
    spend(world.dic, world.body("recovery", 1_000_000))
    support.ok(world.dic.post(f"/api/v1/commissions/{cid}/close", json={
        "liquidation_no": "TL-01", "liquidated_on": f"{YEAR}-09-30"}), 200)
    ledger_is_consistent(world.app)


# --- Decree 347/2025/NĐ-CP art. 6: settling an advance ----------------------------------------------

def test_settled_above_the_advance_the_difference_is_paid(world):
    world.accept(world.first)  # accepted 10,000,000
    before = world.balances()
    spend(world.dic, world.body("advance", 6_000_000))
    spend(world.dic, world.body("payment", 4_000_000, advance_applied=6_000_000,
                                deliverables=[line(world.first, 10_000_000)]))
    c = support.get(world.finance, f"/api/v1/commissions/{world.commission['id']}")
    assert (c["advanced"], c["outstanding_advance"], c["paid"]) == (6_000_000, 0, 10_000_000)
    assert c["committed"] == 20_000_000 - 10_000_000
    after = world.balances()
    assert after["allocation"][1] - before["allocation"][1] == 10_000_000   # spent: 6 + 4 million
    assert before["allocation"][0] - after["allocation"][0] == 10_000_000   # committed released
    assert support.get(world.finance, f"/api/v1/deliverables/{world.first}")["paid"] == 10_000_000
    ledger_is_consistent(world.app)


def test_settled_below_the_advance_the_remainder_is_recovered(world):
    world.accept(world.first, quantity=1)  # accepted 5,000,000
    builders.deliver(world.dic, world.second)
    builders.reject_delivery(world.dic, world.second)  # nothing of it accepted
    before = world.balances()
    spend(world.dic, world.body("advance", 6_000_000))
    spend(world.dic, world.body("payment", 0, advance_applied=5_000_000,
                                deliverables=[line(world.first, 5_000_000)]))
    c = support.get(world.finance, f"/api/v1/commissions/{world.commission['id']}")
    assert (c["outstanding_advance"], c["paid"]) == (1_000_000, 5_000_000)
    spend(world.dic, world.body("recovery", 1_000_000))
    c = support.get(world.finance, f"/api/v1/commissions/{world.commission['id']}")
    assert (c["advanced"], c["outstanding_advance"], c["paid"]) == (6_000_000, 0, 5_000_000)
    after = world.balances()
    assert after["allocation"][1] - before["allocation"][1] == 5_000_000   # 6 out, 1 back
    assert before["allocation"][0] - after["allocation"][0] == 5_000_000
    ledger_is_consistent(world.app)
    support.ok(world.dic.post(f"/api/v1/commissions/{world.commission['id']}/close", json={
        "liquidation_no": "TL-01", "liquidated_on": f"{YEAR}-09-30"}), 200)
    closed = world.balances()
    assert closed["allocation"][0] == before["allocation"][0] - 20_000_000  # the rest released
    ledger_is_consistent(world.app)


def test_settled_equal_to_the_advance_it_is_converted(world):
    world.accept(world.first, quantity=1)  # accepted 5,000,000
    before = world.balances()
    spend(world.dic, world.body("advance", 5_000_000))
    converted = spend(world.dic, world.body("payment", 0, advance_applied=5_000_000,
                                            deliverables=[line(world.first, 5_000_000)]))
    assert (converted["amount"], converted["advance_applied"]) == (0, 5_000_000)
    c = support.get(world.finance, f"/api/v1/commissions/{world.commission['id']}")
    assert (c["advanced"], c["outstanding_advance"], c["paid"]) == (5_000_000, 0, 5_000_000)
    after = world.balances()
    assert after["allocation"][1] - before["allocation"][1] == 5_000_000   # only the advance left the allocation
    assert support.get(world.finance, f"/api/v1/deliverables/{world.first}")["paid"] == 5_000_000
    ledger_is_consistent(world.app)


@pytest.mark.parametrize("voucher", ["V" * 60, "TT-09"], ids=["longest voucher", "suffix already taken"])
def test_a_reversal_finds_its_own_voucher_number(world, voucher):
    """The reversal's voucher is the original's marked as reversed; a 60-character voucher, or one
    whose marked form the unit already used, still reverses (no clash with a voucher in the unit)."""
    world.accept(world.first)
    posted = spend(world.dic, world.body("payment", 1_000_000, voucher_no=voucher,
                                         deliverables=[line(world.first, 1_000_000)]))
    if len(voucher) < 56:  # the unit already used the marked form
        spend(world.dic, world.body("advance", 1_000, voucher_no=f"{voucher}/ĐẢO"))
    reverse(world.finance, posted["id"])
    items = support.get(world.finance, f"/api/v1/expenditures?commission_id={world.commission['id']}")["items"]
    vouchers = [item["voucher_no"] for item in items]
    assert len(set(vouchers)) == len(vouchers) == (2 if len(voucher) >= 56 else 3)
    reversal = next(item for item in items if item["reversal_of"] == posted["id"])
    assert reversal["voucher_no"].endswith("/ĐẢO") and len(reversal["voucher_no"]) <= 60
    ledger_is_consistent(world.app)
