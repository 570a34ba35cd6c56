"""Issue 18 in a browser, on the demo province: the record pages offer their documents ("In / Tải
PDF") and say what they still lack; each document opens as a PDF whose first page is kept as a
picture (pdftoppm) in test-artifacts/ for a person to look at; printing a page prints the record
without the navigation or the forms."""
import shutil
import subprocess

import pytest
import sqlalchemy as sa

from tests.browser.pages import by_testid
from tests.browser.test_pages_under_csp import demo_login

pytestmark = pytest.mark.browser


def _records(app) -> dict:
    """Ids of one record of each kind that has a document, from the demo."""
    from app.extensions import db
    from budgets.models import FundingRequest
    from commissions.expenditures.models import ADVANCE, PAYMENT, RECOVERY, Expenditure
    from commissions.models import ACCEPTED, CLOSED, Commission, Deliverable
    with app.app_context():
        def first(stmt):
            return db.session.execute(stmt.limit(1)).scalar_one()

        found = {
            "advance": first(sa.select(Expenditure.id).where(Expenditure.kind == ADVANCE)),
            "settlement": first(sa.select(Expenditure.id).where(Expenditure.kind == PAYMENT,
                                                                Expenditure.advance_applied > 0)),
            "recovery": first(sa.select(Expenditure.id).where(Expenditure.kind == RECOVERY)),
            "acceptance": first(sa.select(Deliverable.id).where(Deliverable.status == ACCEPTED)),
            "liquidation": first(sa.select(Commission.id).where(Commission.status == CLOSED)),
            "request": first(sa.select(FundingRequest.id).where(FundingRequest.status == "submitted")),
        }
        db.session.remove()
    return found


PAGES = {  # record page, its document, the testid of its "In / Tải PDF" box
    "advance": ("/expenditures/{}", "/expenditures/{}/treasury.pdf", "treasury-pdf"),
    "settlement": ("/expenditures/{}", "/expenditures/{}/treasury.pdf", "treasury-pdf"),
    "recovery": ("/expenditures/{}", "/expenditures/{}/treasury.pdf", "treasury-pdf"),
    "acceptance": ("/deliverables/{}", "/deliverables/{}/acceptance.pdf", "acceptance-pdf"),
    "liquidation": ("/commissions/{}", "/commissions/{}/liquidation.pdf", "liquidation-pdf"),
    "request": ("/requests/{}", "/requests/{}/request.pdf", "request-pdf"),
}


def test_every_document_opens_from_its_page_and_its_first_page_is_pictured(demo, app, browsing, artifacts):  # noqa: F811
    if shutil.which("pdftoppm") is None:
        pytest.fail("pdftoppm (Debian poppler-utils) is needed to picture the documents")
    records = _records(app)
    page = browsing.page()
    demo_login(page, "taichinh")  # finance reads every unit's records
    for name, (record, document, testid) in PAGES.items():
        page.goto(record.format(records[name]))
        box = by_testid(page, testid)
        assert box.count() == 1, name
        href = box.locator(f"[data-testid={testid}-open]").get_attribute("href")
        assert href == document.format(records[name])
        response = page.request.get(href)
        assert response.status == 200 and response.headers["content-type"] == "application/pdf", name
        pdf = artifacts / f"paperwork-{name}.pdf"
        pdf.write_bytes(response.body())
        subprocess.run(["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "1", "-singlefile", str(pdf),
                        str(artifacts / f"paperwork-{name}")], check=True, timeout=60)
        assert (artifacts / f"paperwork-{name}.png").stat().st_size > 10_000, name
        download = page.request.get(href + "?download=1")
        assert download.headers["content-disposition"].startswith("attachment")


def test_a_missing_treasury_account_is_named_on_the_page_with_who_fills_it(demo, app, browsing):  # noqa: F811
    from app.extensions import db
    from app.units.models import Unit
    from commissions.expenditures.models import Expenditure
    with app.app_context():
        entry = db.session.execute(sa.select(Expenditure.id).join(Unit, Unit.id == Expenditure.unit_id)
                                   .where(Unit.code == "STP").limit(1)).scalar_one()
        db.session.remove()
    page = browsing.page()
    demo_login(page, "donvi")
    page.goto(f"/expenditures/{entry}")
    missing = by_testid(page, "treasury-pdf-missing")
    assert "tài khoản của đơn vị tại Kho bạc" in missing.inner_text()
    assert "quản trị viên cập nhật ở trang Đơn vị" in missing.inner_text()


def test_printing_a_page_prints_the_record_without_navigation_or_forms(demo, app, browsing, artifacts):  # noqa: F811
    records = _records(app)
    page = browsing.page()
    demo_login(page, "taichinh")
    page.goto(f"/expenditures/{records['settlement']}")
    assert page.locator("nav.navbar").is_visible() and page.locator("main form").first.is_visible()
    page.emulate_media(media="print")
    assert not page.locator("nav.navbar").is_visible()
    assert all(not form.is_visible() for form in page.locator("form").all())
    assert by_testid(page, "voucher").is_visible() and by_testid(page, "trail").is_visible()
    page.pdf(path=str(artifacts / "paperwork-printed-page.pdf"))
