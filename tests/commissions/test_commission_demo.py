"""`flask demo load` on an empty database: the commissions of the 2026 province in every status, made
through the services, with balances that add up and pages that open for everyone who may read them."""
import re
from collections import Counter

import sqlalchemy as sa

from app.core import clock
from app.demo import DEMO_PASSWORD
from app.extensions import db
from budgets.models import Allocation
from commissions.models import COMMISSION_STATUSES, Commission, Deliverable, Supplier

GONE = ("huyện", "thị xã", "Thông tin và Truyền thông", "Bình Định", "STTTT")
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def test_demo_has_commissions_in_every_status(app, demo):
    result = demo
    assert result.exit_code == 0, result.output
    with app.app_context():
        suppliers = {s.name: s for s in db.session.execute(sa.select(Supplier)).scalars()}
        assert {"Báo và Phát thanh, Truyền hình Gia Lai", "Báo Nhân Dân", "Trường Chính trị tỉnh Gia Lai",
                "Công ty TNHH Giải pháp Dữ liệu Phố Núi"} <= set(suppliers)
        commissions = db.session.execute(sa.select(Commission).order_by(Commission.id)).scalars().all()
        assert set(COMMISSION_STATUSES) == {c.status for c in commissions}

        press = [c for c in commissions if c.category == "press"]
        assert {c.unit.code for c in press} == {"SVHTTDL"}
        assert {c.supplier.name for c in press} == {"Báo và Phát thanh, Truyền hình Gia Lai", "Báo Nhân Dân"}
        monitoring = [c for c in commissions if c.category == "it_monitoring"]
        assert [(c.method, c.unit.code, c.status) for c in monitoring] == [("bidding", "SVHTTDL", "signed")]
        assert {d.kind for d in monitoring[0].deliverables} == {
            "monitoring_report", "trend_analysis", "opinion_poll", "impact_assessment"}
        # this year's (the closed previous year of budgets/years/demo.py has its own training contract)
        training = [c for c in commissions if c.category == "training" and c.fiscal_year == clock.today().year]
        assert [(c.unit.code, c.supplier.kind) for c in training] == [("STP", "training")]

        deliverables = db.session.execute(sa.select(Deliverable)).scalars().all()
        statuses = Counter(d.status for d in deliverables)
        assert {"planned", "delivered", "accepted", "rejected"} <= set(statuses)
        live = [d for d in deliverables if d.commission.status == "signed"]
        assert any(d.overdue and d.status == "planned" for d in live)
        assert any(d.overdue and d.status == "rejected" for d in live)
        assert any(d.accepted_quantity and d.accepted_quantity < d.delivered_quantity for d in deliverables)

        # what each allocation holds is what its open commissions hold; closed and cancelled hold nothing
        for allocation in db.session.execute(sa.select(Allocation)).scalars():
            held = sum(c.committed for c in commissions if c.allocation_id == allocation.id)
            assert allocation.committed == held, allocation.decision_no
            assert allocation.committed + allocation.spent <= allocation.amount
        for c in commissions:
            # a running contract holds its value less what was spent on it (paid in cash or advanced)
            expected = c.value - c.paid - c.outstanding_advance if c.status in ("approved", "signed") else 0
            assert c.committed == expected, (c.number, c.status)
        assert all(c.contract_no for c in commissions if c.status in ("signed", "closed"))
        assert all(c.liquidation_no and c.liquidated_on for c in commissions if c.status == "closed")
        assert all(c.price_decision_no for c in commissions if c.method in ("order", "assignment"))

        words = [t for c in commissions for t in (c.title, c.topic, c.reject_reason, c.cancel_reason) if t]
        words += [d.title for d in deliverables]
        assert not [t for t in words if any(g.lower() in t.lower() for g in GONE)]
        numbers = [c.number for c in commissions]
    assert app.test_cli_runner().invoke(args=["audit", "verify"]).exit_code == 0

    # every commission page opens for the DIC (its own), finance and the auditor
    for username in ("sovhttdl", "taichinh", "kiemtoan", "donvi"):
        client = app.test_client()
        login = client.get("/login")
        response = client.post("/login", data={"csrf_token": CSRF.search(login.get_data(as_text=True)).group(1),
                                               "username": username, "password": DEMO_PASSWORD})
        assert response.status_code == 302
        listing = client.get("/commissions?page=1").get_data(as_text=True)
        shown = re.findall(r'href="/commissions/(\d+)"', listing)
        assert shown, username
        for commission_id in shown:
            assert client.get(f"/commissions/{commission_id}").status_code == 200, (username, commission_id)
        for path in ("/deliverables/overdue", "/commissions/new" if username in ("sovhttdl", "donvi") else
                     "/commissions/queue" if username == "taichinh" else "/commissions"):
            assert client.get(path).status_code == 200, (username, path)
        if username in ("taichinh", "kiemtoan"):  # every commission of the province, on its pages of 20
            pages = [listing] + [client.get(f"/commissions?page={n}").get_data(as_text=True)
                                 for n in range(2, (len(numbers) + 19) // 20 + 1)]
            assert sorted(numbers) == sorted(n for page in pages for n in re.findall(
                r'data-number="(DH-\d{4}-\d{4})"', page))
