"""The ledger under random use (issue 10): a Hypothesis state machine drives the HTTP API through
commissions and expenditures at random and, after every step, compares every balance the API
shows with an in-memory model and runs `ledger check`.

The model knows the rules from DESIGN §5 and the movements listed in commissions/expenditures.py,
not the code: when it says a request must be refused, the test asserts the 409/422 code and the
invariant then proves that nothing moved. The `roles` world is restored once per test function, not
per example: the test builds an envelope, three allocations and a supplier through the API once,
saves that world, and each example restores it, so that every example starts from the same budget
and check_ledger() (which reads every row) stays as quick at the 200th example as at the first.

LEDGER_MACHINE_EXAMPLES sets the number of examples (default 200 when CI=true, 40 otherwise),
LEDGER_MACHINE_STEPS the steps per example (default 12).

The year's operations (issue 22 item 4) run in a second machine on a budget of the past year (2025,
whose correction period is over, so it can be closed today): transfers between allocations,
adjustments up and down, and the year-end close, after which approved commissions are cancelled,
signed ones carried with their commitment and advance into a carry-over allocation of 2026 where
their deliveries, payments and recoveries go on, every write on 2025 is refused as `year_closed`
(direct spending excepted from reversal: it comes back as cancelled), and each allocation of 2025
holds amount = spent + carried over + cancelled. YEAR_MACHINE_EXAMPLES and YEAR_MACHINE_STEPS set its
size (200 and 12 on CI). A long run, documented in docs (10,000 steps):
    YEAR_MACHINE_EXAMPLES=100 YEAR_MACHINE_STEPS=100 python -m pytest -q -s \
        tests/commissions/test_ledger_state_machine.py -k year
The canary (LEDGER_CANARY, a test-only setting that makes a transfer lose one đồng) must be caught.
"""
import collections
import itertools
import os
import sys
import uuid
from dataclasses import dataclass, field

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from app.extensions import db
from commissions.expenditures.balances import check_balances as check_ledger
from tests import support
from tests.commissions import builders

YEAR = support.YEAR
PAST = YEAR - 1  # the year machine's budget: its correction period is over, it can be closed today
EXAMPLES = int(os.environ.get("LEDGER_MACHINE_EXAMPLES") or (200 if os.environ.get("CI") == "true" else 40))
STEPS = int(os.environ.get("LEDGER_MACHINE_STEPS") or 12)
YEAR_EXAMPLES = int(os.environ.get("YEAR_MACHINE_EXAMPLES") or (200 if os.environ.get("CI") == "true" else 30))
YEAR_STEPS = int(os.environ.get("YEAR_MACHINE_STEPS") or 12)
ENVELOPE_TOTAL = 1_000_000_000

_run = uuid.uuid4().hex[:8]  # keys and vouchers stay unique across examples sharing one database
_serial = itertools.count(1)
OUTCOMES = collections.Counter()  # (rule, status, code): what the run exercised, printed at its end

OWNER = {"press": "dic", "training": "unit", "operations": "unit"}
AMOUNTS = {"press": 120_000_000, "training": 90_000_000, "operations": 20_000_000}  # some commissions will not fit
PICK = st.integers(0, 63)       # which candidate: index modulo the number of candidates
SHARE = st.integers(0, 120)     # per cent of what the rules allow; 100 and above asks for too much


def serial(prefix):
    return f"{prefix}-{_run}-{next(_serial)}"


# --- the model -------------------------------------------------------------------------------

@dataclass
class Allocation:
    id: int
    category: str
    amount: int
    committed: int = 0
    spent: int = 0
    year: int = YEAR
    carried_over: int = 0
    cancelled: int = 0
    closed: bool = False

    @property
    def available(self):
        return self.amount - self.committed - self.spent - self.carried_over - self.cancelled


@dataclass
class Deliverable:
    id: int
    quantity: int
    unit_price: int
    status: str = "planned"
    delivered: int | None = None
    accepted_value: int = 0
    paid: int = 0


@dataclass
class Commission:
    id: int
    allocation: Allocation
    value: int
    pct: int
    deliverables: list
    status: str = "proposed"
    committed: int = 0
    advanced: int = 0
    outstanding: int = 0
    paid: int = 0


@dataclass
class Entry:
    id: int
    kind: str
    allocation: Allocation
    commission: Commission | None
    amount: int
    applied: int = 0
    links: tuple = ()          # (Deliverable, amount)
    status: str = "posted"


@dataclass
class Moves:
    """The balances one entry moves (DESIGN §5 / the docstring of commissions/expenditures.py)."""
    allocation: dict = field(default_factory=dict)
    commission: dict = field(default_factory=dict)
    deliverables: list = field(default_factory=list)  # (Deliverable, paid delta)


def moves(entry: Entry, sign: int) -> Moves:
    a, x = sign * entry.amount, sign * entry.applied
    if entry.kind == "direct":
        return Moves({"spent": a})
    if entry.kind == "advance":
        return Moves({"committed": -a, "spent": a},
                     {"committed": -a, "advanced": a, "outstanding": a})
    if entry.kind == "recovery":
        return Moves({"committed": a, "spent": -a}, {"committed": a, "outstanding": -a})
    return Moves({"committed": -a, "spent": a}, {"committed": -a, "outstanding": -x, "paid": a + x},
                 [(d, sign * amount) for d, amount in entry.links])


def refusal(entry: Entry, m: Moves) -> str | None:
    """The error code the service must answer with, or None when every balance stays in its limits."""
    alloc = entry.allocation
    committed = alloc.committed + m.allocation.get("committed", 0)
    spent = alloc.spent + m.allocation.get("spent", 0)
    if committed < 0 or spent < 0 or committed + spent > alloc.amount:
        return "insufficient_funds"
    c = entry.commission
    if c is not None:
        after = {k: getattr(c, k) + m.commission.get(k, 0) for k in ("committed", "advanced", "outstanding", "paid")}
        if after["outstanding"] < 0 or after["outstanding"] * 100 > c.pct * c.value:
            return "rule_violation"
        if min(after.values()) < 0:
            return "insufficient_funds"
    for d, delta in m.deliverables:
        if not 0 <= d.paid + delta <= d.accepted_value:
            return "rule_violation"
    return None


def apply(entry: Entry, m: Moves):
    for k, v in m.allocation.items():
        setattr(entry.allocation, k, getattr(entry.allocation, k) + v)
    for k, v in m.commission.items():
        setattr(entry.commission, k, getattr(entry.commission, k) + v)
    for d, delta in m.deliverables:
        d.paid += delta


# --- the machine -----------------------------------------------------------------------------

class LedgerMachine(RuleBasedStateMachine):
    def __init__(self, app, roles, world):
        super().__init__()
        support.restore_snapshot(app, world.snapshot)  # every example starts from the same saved budget
        self.app, self.roles, self.finance = app, roles, roles["finance"]
        self.envelope, self.suppliers, self.year = world.envelope, world.suppliers, world.year
        self.allocations = {kind: Allocation(id, kind, AMOUNTS[kind], year=world.year)
                            for kind, id in world.allocations.items()}
        self.carried: dict = {}  # category -> the carry-over Allocation of the next year, after the close
        self.closed = False
        self.commissions: list[Commission] = []
        self.entries: list[Entry] = []

    # helpers

    def expect(self, response, status, code=None):
        caller = sys._getframe(1)
        while caller.f_code.co_name == "post":
            caller = caller.f_back
        OUTCOMES[caller.f_code.co_name, status, code] += 1
        body = response.get_json()
        assert response.status_code == status, (response.status_code, body)
        if code is not None:
            assert body["error"] == code, body
        return body

    def post_entry(self, alloc: Allocation, kind, amount, commission=None, applied=0, links=()):
        body = {"allocation_id": alloc.id, "commission_id": commission.id if commission else None, "kind": kind,
                "amount": amount, "paid_on": f"{alloc.year}-06-01", "voucher_no": serial("CT"), "payee": "Nhà cung cấp",
                "description": "Chi theo chứng từ"}
        if kind == "payment":
            body.update(advance_applied=applied,
                        deliverables=[{"deliverable_id": d.id, "amount": v} for d, v in links])
        return self.roles[OWNER[alloc.category]].post(
            "/api/v1/expenditures", json=body, headers={"Idempotency-Key": serial("k")})

    def post(self, entry: Entry):
        """Post the entry; the model moves exactly when it says the rules allow."""
        response = self.post_entry(entry.allocation, entry.kind, entry.amount, entry.commission, entry.applied,
                                   entry.links)
        if entry.allocation.closed:
            self.expect(response, 409, "year_closed")
            return
        m = moves(entry, +1)
        code = refusal(entry, m)
        if entry.kind == "recovery" and entry.amount > entry.commission.outstanding:
            code = "rule_violation"
        if code:
            self.expect(response, 409, code)
            return
        entry.id = self.expect(response, 201)["id"]
        apply(entry, m)
        self.entries.append(entry)

    def signed(self):
        return [c for c in self.commissions if c.status == "signed"]

    def deliverables_in(self, *statuses):
        return [(c, d) for c in self.signed() for d in c.deliverables if d.status in statuses]

    @staticmethod
    def pick(candidates, index):
        return candidates[index % len(candidates)]

    # the world of one example

    LINES = st.lists(st.tuples(st.integers(1, 4), st.integers(100_000, 15_000_000)), min_size=1, max_size=3)
    PCT = st.sampled_from((30, 0, 10, 33, 50, 100))

    @initialize(category=st.sampled_from(("press", "training")), lines=LINES, pct=PCT)
    def first_commission(self, category, lines, pct):
        """A first commission proposed, approved if the money is there and then signed, so that the
        steps reach deliveries and payments sooner."""
        self.propose_and_approve(category, lines, pct, then_sign=True)

    # commissions

    @precondition(lambda self: not self.closed
                  and sum(c.status in ("proposed", "approved", "signed") for c in self.commissions) < 3)
    @rule(category=st.sampled_from(("press", "training")), lines=LINES, pct=PCT, then_sign=st.booleans())
    def propose_and_approve(self, category, lines, pct, then_sign=False):
        alloc = self.allocations[category]
        owner = self.roles[OWNER[category]]
        items = [builders.item(f"Sản phẩm {i}", builders.KIND_FOR[category], q, p) for i, (q, p) in enumerate(lines, 1)]
        created = builders.propose(owner, alloc.id, self.suppliers[category], *items, category=category,
                                   advance_limit_pct=pct)
        c = Commission(created["id"], alloc, sum(q * p for q, p in lines), pct,
                       [Deliverable(d["id"], q, p) for d, (q, p) in zip(created["deliverables"], lines)])
        self.commissions.append(c)
        response = self.finance.post(f"/api/v1/commissions/{c.id}/approve")
        if alloc.committed + alloc.spent + c.value > alloc.amount:
            self.expect(response, 409, "insufficient_funds")
            return
        self.expect(response, 200)
        c.status, c.committed = "approved", c.value
        alloc.committed += c.value
        if then_sign:
            self.sign(0, c)

    @precondition(lambda self: any(c.status == "approved" for c in self.commissions))
    @rule(pick=PICK)
    def sign(self, pick, target=None):
        c = target or self.pick([c for c in self.commissions if c.status == "approved"], pick)
        self.expect(self._owner(c).post(f"/api/v1/commissions/{c.id}/sign",
                                        json={"contract_no": serial("HĐ")[:60],
                                              "signed_on": f"{c.allocation.year}-02-01"}), 200)
        c.status = "signed"

    def _owner(self, c):
        return self.roles[OWNER[c.allocation.category]]

    @precondition(lambda self: self.deliverables_in("planned", "rejected"))
    @rule(pick=PICK, share=SHARE, then=st.sampled_from(("accept", None, "reject")), accept_share=SHARE)
    def deliver(self, pick, share, then=None, accept_share=100):
        """Deliver; then, in the same step, perhaps accept or reject (the separate rules do it later)."""
        c, d = self.pick(self.deliverables_in("planned", "rejected"), pick)
        quantity = 1 + (d.quantity - 1) * share // 100 if share < 100 else d.quantity + 1
        response = self._owner(c).post(f"/api/v1/deliverables/{d.id}/deliver",
                                       json={"delivered_on": f"{c.allocation.year}-05-01", "quantity": quantity})
        if c.allocation.closed:
            self.expect(response, 409, "year_closed")
            return
        if quantity > d.quantity:
            self.expect(response, 422, "validation_error")
            return
        self.expect(response, 200)
        d.status, d.delivered, d.accepted_value = "delivered", quantity, 0
        if then == "accept":
            self.accept(0, accept_share, (c, d))
        elif then == "reject":
            self.reject_delivery(0, (c, d))

    @precondition(lambda self: self.deliverables_in("delivered"))
    @rule(pick=PICK, share=SHARE)
    def accept(self, pick, share, target=None):
        c, d = target or self.pick(self.deliverables_in("delivered"), pick)
        quantity = 1 + (d.delivered - 1) * share // 100 if share < 100 else d.delivered + 1
        response = self._owner(c).post(f"/api/v1/deliverables/{d.id}/accept", json={
            "accepted_on": f"{c.allocation.year}-05-02", "accepted_quantity": quantity, "record_no": serial("BB")})
        if c.allocation.closed:
            self.expect(response, 409, "year_closed")
            return
        if quantity > d.delivered:
            self.expect(response, 422, "validation_error")
            return
        self.expect(response, 200)
        d.status, d.accepted_value = "accepted", quantity * d.unit_price

    @precondition(lambda self: self.deliverables_in("delivered"))
    @rule(pick=PICK)
    def reject_delivery(self, pick, target=None):
        c, d = target or self.pick(self.deliverables_in("delivered"), pick)
        response = self._owner(c).post(f"/api/v1/deliverables/{d.id}/reject", json={"reason": "Chưa đạt"})
        if c.allocation.closed:
            self.expect(response, 409, "year_closed")
            return
        self.expect(response, 200)
        d.status = "rejected"

    # expenditures

    @precondition(lambda self: self.signed())
    @rule(pick=PICK, share=SHARE)
    def advance(self, pick, share):
        c = self.pick(self.signed(), pick)
        room = (c.pct * c.value - 100 * c.outstanding) // 100  # the most the limit still allows
        amount = 1 + max(room - 1, 0) * share // 100 if share < 100 else room + 1 + share
        self.post(Entry(0, "advance", c.allocation, c, amount))

    @precondition(lambda self: any(d.status == "accepted" for c in self.signed() for d in c.deliverables))
    @rule(pick=PICK, shares=st.lists(SHARE, min_size=3, max_size=3), applied=SHARE)
    def pay(self, pick, shares, applied):
        c = self.pick([c for c in self.signed() if any(d.status == "accepted" for d in c.deliverables)], pick)
        links = []
        for d, share in zip([d for d in c.deliverables if d.status == "accepted"], shares):
            left = d.accepted_value - d.paid
            amount = left * share // 100 if share < 100 else left + share
            if amount:
                links.append((d, amount))
        if not links:
            links = [(next(d for d in c.deliverables if d.status == "accepted"), 1)]
        total = sum(amount for _, amount in links)
        if applied <= 100:
            x = min(total, c.outstanding * applied // 100)
        else:
            x = min(total, c.outstanding + 1)
        self.post(Entry(0, "payment", c.allocation, c, total - x, x, tuple(links)))

    @precondition(lambda self: any(c.outstanding for c in self.signed()))
    @rule(pick=PICK, share=SHARE)
    def recover(self, pick, share):
        c = self.pick([c for c in self.signed() if c.outstanding], pick)
        amount = max(1, c.outstanding * share // 100) if share <= 100 else c.outstanding + 1
        self.post(Entry(0, "recovery", c.allocation, c, amount))

    @rule(category=st.sampled_from(("training", "operations")), share=SHARE)
    def direct(self, category, share):
        alloc = self.allocations[category]
        amount = max(1, alloc.available * share // 100) if share <= 100 else alloc.available + 1
        self.post(Entry(0, "direct", alloc, None, amount))

    @precondition(lambda self: any(e.status == "posted" for e in self.entries))
    @rule(pick=PICK)
    def reverse(self, pick):
        entry = self.pick([e for e in self.entries if e.status == "posted"], pick)
        response = self.finance.post(f"/api/v1/expenditures/{entry.id}/reverse", json={"reason": "Ghi sổ nhầm"})
        if entry.allocation.closed and entry.kind != "direct":
            self.expect(response, 409, "year_closed")
            return
        if entry.status != "posted" or (entry.commission is not None and entry.commission.status != "signed"):
            self.expect(response, 409, "invalid_transition")
            return
        m = moves(entry, -1)
        code = refusal(entry, m)
        if code:  # undoing it would break a limit now (the advance was applied, the money spent...)
            self.expect(response, 409, code)
            return
        assert self.expect(response, 200)["status"] == "reversed"
        apply(entry, m)
        entry.status = "reversed"
        if entry.allocation.closed:  # a closed year's direct spending comes back as cancelled
            entry.allocation.cancelled += entry.amount

    @precondition(lambda self: any(c.status in ("approved", "signed") for c in self.commissions))
    @rule(pick=PICK, action=st.sampled_from(("close", "cancel")))
    def end(self, pick, action):
        """Cancel (from approved or signed) or close (signed, every deliverable accepted or rejected):
        refused while an advance is outstanding; what the commission still holds goes back."""
        c = self.pick([c for c in self.commissions if c.status in ("approved", "signed")], pick)
        body = {"reason": "Không còn nhu cầu"} if action == "cancel" else {}
        response = self._owner(c).post(f"/api/v1/commissions/{c.id}/{action}", json=body)
        open_items = any(d.status not in ("accepted", "rejected") for d in c.deliverables)
        if c.allocation.closed:
            self.expect(response, 409, "year_closed")
        elif c.outstanding:
            self.expect(response, 409, "rule_violation")
        elif action == "close" and c.status != "signed":
            self.expect(response, 409, "invalid_transition")
        elif action == "close" and open_items:
            self.expect(response, 409, "rule_violation")
        else:
            self.expect(response, 200)
            c.status = "cancelled" if action == "cancel" else "closed"
            c.allocation.committed -= c.committed
            c.committed = 0

    # after every step

    @invariant()
    def balances_match_the_model(self):
        got = {a["id"]: a for year in (self.year, self.year + 1)
               for a in support.get(self.finance, f"/api/v1/allocations?fiscal_year={year}&per_page=200")["items"]}
        assert set(got) == {a.id for a in (*self.allocations.values(), *self.carried.values())}
        for alloc in (*self.allocations.values(), *self.carried.values()):
            a = got[alloc.id]
            assert (a["amount"], a["committed"], a["spent"], a["carried_over"], a["cancelled"], a["available"]) == \
                (alloc.amount, alloc.committed, alloc.spent, alloc.carried_over, alloc.cancelled,
                 alloc.available), (alloc, a)
            if alloc.closed:
                assert alloc.amount == alloc.spent + alloc.carried_over + alloc.cancelled
        # the database holds this example's commissions only (restored per example): one list shows them all
        got = {c["id"]: c for year in (self.year, self.year + 1) for c in support.get(
            self.finance, f"/api/v1/commissions?fiscal_year={year}&per_page=200")["items"]}
        assert set(got) == {c.id for c in self.commissions}
        for c in self.commissions:
            g = got[c.id]
            assert g["allocation_id"] == c.allocation.id
            assert (g["status"], g["value"], g["committed"], g["advanced"], g["outstanding_advance"], g["paid"],
                    g["remaining"]) == (c.status, c.value, c.committed, c.advanced, c.outstanding, c.paid,
                                        c.value - c.paid - c.outstanding), (c, g)
            shown = {d["id"]: (d["status"], d["delivered_quantity"], d["accepted_value"], d["paid"])
                     for d in g["deliverables"]}
            assert shown == {d.id: (d.status, d.delivered, d.accepted_value, d.paid) for d in c.deliverables}
            # the model's own bookkeeping: what is held is the value less payments and open advances
            assert c.committed == (c.value - c.paid - c.outstanding if c.status in ("approved", "signed") else 0)
            assert c.paid == sum(d.paid for d in c.deliverables)

    @invariant()
    def ledger_check_passes(self):
        with self.app.app_context():
            problems = check_ledger()
            db.session.remove()
        assert problems == []


@dataclass
class BudgetWorld:
    snapshot: support.Snapshot
    envelope: int
    allocations: dict  # category -> allocation id
    suppliers: dict  # category -> a supplier of the kind it commissions
    year: int = YEAR


def budget_world(app, finance, year=YEAR) -> BudgetWorld:
    """An envelope, a press allocation for the DIC, training and operations allocations for STP and a
    supplier of each commissioned kind, made through the API on the `roles` world, then saved: each example
    restores it."""
    envelope = support.envelope(finance, ENVELOPE_TOTAL, year=year)["id"]
    allocations = {kind: support.allocation(finance, envelope, support.ROLE_PEOPLE[OWNER[kind]][2], amount,
                                            category=kind, year=year)["id"]
                   for kind, amount in AMOUNTS.items()}
    suppliers = {category: builders.supplier(finance, kind=builders.SUPPLIER_KIND_FOR[category],
                                             name=f"Nhà cung cấp kiểm thử {category}")["id"]
                 for category in ("press", "training")}
    return BudgetWorld(support.take_snapshot(app, f"ledger-machine-{year}"), envelope, allocations, suppliers, year)


def test_random_use_keeps_every_balance(app, roles):
    world = budget_world(app, roles["finance"])
    run_state_machine_as_test(lambda: LedgerMachine(app, roles, world), settings=settings(
        max_examples=EXAMPLES, stateful_step_count=STEPS, deadline=None, database=None, print_blob=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large]))
    for (step, status, code), count in sorted(OUTCOMES.items()):
        print(f"{step:22} {status} {code or '':20} {count}")


# --- the year's operations: transfers, adjustments, the close and what is carried (issue 22) -----

class YearMachine(LedgerMachine):
    """The ledger machine on a budget of PAST, with the operations of the budget year besides."""

    def __init__(self, app, roles, world):
        super().__init__(app, roles, world)
        self.envelope_room = ENVELOPE_TOTAL - sum(AMOUNTS.values())

    def _year_allocations(self):
        return list(self.allocations.values())

    @rule(pair=st.permutations(("press", "training", "operations")), share=SHARE)
    def transfer(self, pair, share):
        """Move money between two allocations of the year: the source never below what it holds."""
        source, target = self.allocations[pair[0]], self.allocations[pair[1]]
        room = source.available
        amount = 1 + max(room - 1, 0) * share // 100 if share < 100 else room + 1 + share
        response = self.finance.post("/api/v1/transfers", json={
            "from_allocation_id": source.id, "to_allocation_id": target.id, "amount": amount,
            "decision_no": serial("QĐ-ĐC")[:60], "decision_date": f"{self.year}-11-01",
            "reason": "Điều chỉnh dự toán giữa các đơn vị"})
        if self.closed:
            self.expect(response, 409, "year_closed")
        elif amount > room:
            self.expect(response, 409, "insufficient_funds")
        else:
            self.expect(response, 201)
            source.amount -= amount
            target.amount += amount

    @rule(category=st.sampled_from(("press", "training", "operations")), share=SHARE, rise=st.booleans())
    def adjust(self, category, share, rise):
        """Raise an allocation within what the envelope has left, or cut it down to what it holds."""
        alloc = self.allocations[category]
        room = self.envelope_room if rise else alloc.available
        size = 1 + max(room - 1, 0) * share // 100 if share < 100 else room + 1 + share
        amount = size if rise else -size
        response = support.adjustment(self.finance, alloc.id, amount, decision_no=serial("QĐ-BS")[:60])
        if self.closed:
            self.expect(response, 409, "year_closed")
        elif size > room:
            self.expect(response, 409, "insufficient_funds")
        else:
            self.expect(response, 201)
            alloc.amount += amount
            self.envelope_room -= amount

    @precondition(lambda self: not self.closed)
    @rule()
    def close_year(self):
        """Finance closes the year: approved commissions cancelled, signed ones holding money carried
        into one allocation of the next year per unit and category, the rest of each allocation cancelled."""
        response = self.finance.post(f"/api/v1/years/{self.year}/close",
                                     json={"decision_no": serial("CN")[:60], "decision_date": f"{self.year + 1}-02-06"})
        summary = self.expect(response, 200)
        for c in self.commissions:
            if c.status == "approved":
                c.allocation.committed -= c.committed
                c.status, c.committed = "cancelled", 0
        carried = [c for c in self.commissions if c.status == "signed" and (c.committed or c.outstanding)]
        new = {a["category"]: a["id"] for a in support.get(
            self.finance, f"/api/v1/allocations?fiscal_year={self.year + 1}&per_page=200")["items"]}
        assert set(new) == {c.allocation.category for c in carried}
        for c in carried:
            old = c.allocation
            target = self.carried.setdefault(old.category, Allocation(new[old.category], old.category, 0,
                                                                        year=self.year + 1))
            target.amount += c.committed + c.outstanding
            target.committed += c.committed
            target.spent += c.outstanding
            old.committed -= c.committed
            old.spent -= c.outstanding
            old.carried_over += c.committed + c.outstanding
            c.allocation = target
        for alloc in self.allocations.values():
            assert alloc.committed == 0
            alloc.cancelled = alloc.amount - alloc.spent - alloc.carried_over
            alloc.closed = True
        self.closed = True
        assert (summary["allocated"], summary["spent"], summary["carried_over"], summary["cancelled"]) == (
            sum(a.amount for a in self.allocations.values()), sum(a.spent for a in self.allocations.values()),
            sum(a.carried_over for a in self.allocations.values()),
            sum(a.cancelled for a in self.allocations.values()))


MACHINE_SETTINGS = {"deadline": None, "database": None, "print_blob": True,
                    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.filter_too_much,
                                              HealthCheck.data_too_large]}


def test_random_use_of_the_year_keeps_every_balance_through_the_close(app, roles):
    world = budget_world(app, roles["finance"], year=PAST)
    OUTCOMES.clear()
    run_state_machine_as_test(lambda: YearMachine(app, roles, world), settings=settings(
        max_examples=YEAR_EXAMPLES, stateful_step_count=YEAR_STEPS, **MACHINE_SETTINGS))
    for (step, status, code), count in sorted(OUTCOMES.items()):
        print(f"{step:22} {status} {code or '':20} {count}")
    ran = {step for step, status, _code in OUTCOMES if status in (200, 201)}
    assert {"transfer", "adjust", "close_year"} <= ran  # the year's operations did run, and succeed


def test_the_machine_catches_a_broken_rule(app, roles):
    """The canary: with LEDGER_CANARY on, a transfer loses one đồng on its way; the machine must fail."""
    world = budget_world(app, roles["finance"], year=PAST)
    app.config["LEDGER_CANARY"] = True
    try:
        with pytest.raises(AssertionError):
            run_state_machine_as_test(lambda: YearMachine(app, roles, world), settings=settings(
                max_examples=30, stateful_step_count=YEAR_STEPS, derandomize=True, phases=[Phase.generate],
                **MACHINE_SETTINGS))  # found is enough: no shrinking
    finally:
        app.config["LEDGER_CANARY"] = False
