"""`flask demo load` makes a province people recognise (issue 19 item 6): ~30 units of tỉnh Gia Lai with
a year of activity in every state, spread month by month over the days that have passed, never dated
after today, through the services (the ledger adds up, the audit chain verifies), once."""
from collections import Counter
from datetime import UTC, date, datetime

import sqlalchemy as sa
import time_machine

from app.auth.models import User
from app.core import clock
from app.core.audit import AuditEntry
from app.demo import DEMO_PASSWORD, unit_officers
from app.extensions import db
from app.units.models import Unit
from budgets.models import REQUEST_STATUSES, Allocation, AllocationTransfer, Envelope, FundingRequest
from commissions.expenditures.models import EXPENDITURE_KINDS, Expenditure
from commissions.models import COMMISSION_STATUSES, Commission, Deliverable
from tests.support import csrf_of


def load(app):
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    return result.output


def counts():
    return {model.__name__: db.session.execute(sa.select(sa.func.count()).select_from(model)).scalar_one()
            for model in (Unit, User, FundingRequest, Allocation, Commission, Deliverable, Expenditure, AuditEntry)}


def dates_of_the_year(year):
    """Every date the demo posted or decided in `year`'s records (due dates are plans, not postings)."""
    columns = [Expenditure.paid_on, Allocation.decision_date, Deliverable.delivered_on, Deliverable.accepted_on,
               Commission.signed_on, Commission.liquidated_on, AllocationTransfer.decision_date]
    found = []
    for column in columns:
        found += [d for d in db.session.execute(sa.select(column).where(column.is_not(None))).scalars()
                  if d.year == year]
    return found


def assert_nothing_in_the_future(app):
    today = clock.today()
    with app.app_context():
        assert all(d <= today for d in dates_of_the_year(today.year))
        assert all(e.paid_on <= today for e in db.session.execute(sa.select(Expenditure)).scalars())
        now = datetime.now(UTC).replace(tzinfo=None)
        assert db.session.execute(sa.select(sa.func.max(AuditEntry.at))).scalar_one() <= now
    for command in (["ledger", "check"], ["audit", "verify"]):
        result = app.test_cli_runner().invoke(args=command)
        assert result.exit_code == 0, result.output


def test_the_demo_is_a_province_with_a_year_in_every_state(app, demo):
    assert demo.exit_code == 0, demo.output
    out = demo.output
    assert "syt" in out and "pleiku" in out  # the other units' officers are named
    year = clock.today().year
    with app.app_context():
        units = db.session.execute(sa.select(Unit)).scalars().all()
        assert 28 <= len(units) <= 34
        requests = db.session.execute(sa.select(FundingRequest).filter_by(fiscal_year=year)).scalars().all()
        assert {r.status for r in requests} == set(REQUEST_STATUSES)
        approved = [r for r in requests if r.status == "approved"]
        assert any(r.approved_total < r.requested_total for r in approved)  # partly allocated
        assert any(r.approved_total == r.requested_total for r in approved)
        allocations = db.session.execute(sa.select(Allocation).join(Envelope)
                                         .where(Envelope.fiscal_year == year)).scalars().all()
        assert len({a.unit_id for a in allocations}) >= 20  # most units
        assert db.session.execute(sa.select(sa.func.count()).select_from(AllocationTransfer)).scalar_one() >= 2
        envelopes = db.session.execute(sa.select(Envelope).filter_by(fiscal_year=year)).scalars().all()
        assert sum(len(e.decisions) for e in envelopes) > len(envelopes)  # supplements

        commissions = db.session.execute(sa.select(Commission).filter_by(fiscal_year=year)).scalars().all()
        assert {c.status for c in commissions} == set(COMMISSION_STATUSES)
        assert len({c.unit_id for c in commissions}) >= 10
        deliverables = [d for c in commissions for d in c.deliverables]
        assert {"planned", "delivered", "accepted", "rejected"} <= {d.status for d in deliverables}
        assert sum(1 for d in deliverables if d.overdue) >= 3

        entries = db.session.execute(sa.select(Expenditure).join(Allocation).join(Envelope)
                                     .where(Envelope.fiscal_year == year)).scalars().all()
        assert 200 <= len(entries) <= 600
        assert {e.kind for e in entries} == set(EXPENDITURE_KINDS)
        assert any(e.status == "reversed" for e in entries)
        assert any(e.kind == "payment" and e.advance_applied for e in entries)
        direct = [e for e in entries if e.kind == "direct"]
        with_document = {d.owner_id for d in db.session.execute(sa.text(
            "SELECT owner_id FROM documents WHERE owner_type = 'expenditure'")).mappings()}
        assert any(e.id in with_document for e in direct) and any(e.id not in with_document for e in direct)
        by_month = Counter(e.paid_on.month for e in entries)
        assert len(by_month) >= min(clock.today().month, 6)  # month by month since January
        assert all(by_month[m] >= 5 for m in range(1, clock.today().month))
        assert len({e.unit_id for e in entries}) >= 20
    assert_nothing_in_the_future(app)

    # every officer logs in with the one password
    client = app.test_client()
    login = client.get("/login")
    username = unit_officers()[0][0]
    assert client.post("/login", data={"csrf_token": csrf_of(login), "username": username,
                                       "password": DEMO_PASSWORD}).status_code == 302
    assert client.get("/dashboard").status_code == 200


def test_a_second_load_changes_nothing(app, demo):
    assert demo.exit_code == 0, demo.output
    with app.app_context():
        before = counts()
    assert "không nạp lại" in load(app)
    with app.app_context():
        assert counts() == before


def test_early_in_january_the_demo_spreads_only_over_the_days_that_passed(app):
    with time_machine.travel(datetime(2027, 1, 15, 3, 0, tzinfo=UTC), tick=True):  # 10:00 in Việt Nam
        load(app)
        assert clock.today() == date(2027, 1, 15)
        with app.app_context():
            entries = db.session.execute(sa.select(Expenditure).join(Allocation).join(Envelope)
                                         .where(Envelope.fiscal_year == 2027)).scalars().all()
            assert entries and {e.paid_on.month for e in entries} == {1}
            assert all(e.paid_on <= date(2027, 1, 15) for e in entries)
            statuses = {c.status for c in db.session.execute(
                sa.select(Commission).filter_by(fiscal_year=2027)).scalars()}
            assert {"proposed", "approved", "signed", "closed", "rejected"} <= statuses
        assert_nothing_in_the_future(app)


def test_on_new_years_day_too(app):
    with time_machine.travel(datetime(2027, 1, 1, 2, 0, tzinfo=UTC), tick=True):  # 09:00 on 1 January
        load(app)
        assert_nothing_in_the_future(app)
