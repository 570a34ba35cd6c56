"""`flask demo load` on an empty database gives expenditures of every kind and state, made through
the services: a settled advance, a recovery, a reversal, direct spending; the ledger adds up and the
trail pages open."""
import sqlalchemy as sa

from app.core import clock
from app.demo import DEMO_PASSWORD
from app.extensions import db
from commissions.expenditures.models import EXPENDITURE_KINDS, Expenditure
from tests.support import csrf_of, text


def test_demo_spends_in_every_kind_and_state(app, demo):
    runner = app.test_cli_runner()
    result = demo
    assert result.exit_code == 0, result.output
    with app.app_context():
        entries = db.session.execute(sa.select(Expenditure).order_by(Expenditure.id)).scalars().all()
        assert {e.kind for e in entries} == set(EXPENDITURE_KINDS)
        assert {e.status for e in entries} == {"posted", "reversed"}
        reversed_ = [e for e in entries if e.status == "reversed"]
        assert {e.kind for e in reversed_} == {"payment", "direct"}
        assert all(any(r.reversal_of_id == e.id for r in entries) for e in reversed_)
        # this year's: the previous year's (budgets/years/demo.py) carried the rest of its advance over
        settled = [e for e in entries if e.kind == "payment" and e.advance_applied and e.status == "posted"
                   and e.allocation.envelope.fiscal_year == clock.today().year]
        assert settled and all(e.commission.outstanding_advance == 0 for e in settled)
        ids = [entries[0].id, reversed_[0].id, settled[0].id]
        # STP's training materials were spent on an allocation made from its request
        from_request = next(e.id for e in entries if e.kind == "direct" and e.allocation.request_id)
    check = runner.invoke(args=["ledger", "check"])
    assert check.exit_code == 0, check.output
    auditor = app.test_client()
    login = auditor.get("/login")
    assert auditor.post("/login", data={"csrf_token": csrf_of(login), "username": "kiemtoan",
                                        "password": DEMO_PASSWORD}).status_code == 302
    for entry_id in ids:
        page = auditor.get(f"/expenditures/{entry_id}")
        assert page.status_code == 200 and 'data-testid="trail"' in text(page)
    assert 'data-testid="expenditure-row"' in text(auditor.get("/expenditures?q=TT-02"))
    assert 'data-testid="trail-request"' in text(auditor.get(f"/expenditures/{from_request}"))
