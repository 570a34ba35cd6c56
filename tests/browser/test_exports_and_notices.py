"""Issue 19 items 3 and 4 in a browser, on the demo: finance starts a background export of the
province's ledger and the page offers the file when the worker is done; a unit officer finds the
notice of a request finance returned in the inbox and opens the request from it."""
import pytest

from tests.browser.pages import by_testid
from tests.browser.test_pages_under_csp import demo_login

pytestmark = pytest.mark.browser


@pytest.fixture
def worker(app):
    """The queue runs each task as it is enqueued, in the served application (as `flask worker`)."""
    from app.core import queue
    queue.bind(app)
    queue.huey.immediate = True
    yield
    queue.huey.immediate = False
    queue.bind(None)


def test_a_background_export_offers_its_file_when_done(demo, worker, browsing, artifacts):  # noqa: F811
    page = browsing.page()
    demo_login(page, "taichinh")
    page.goto("/reports")
    by_testid(page, "export-ledger_xlsx").locator("button").click()
    page.wait_for_selector("[data-testid=export-job][data-status=done]")
    assert by_testid(page, "export-progress").inner_text() == "100%"
    with page.expect_download() as download:
        by_testid(page, "export-file").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    page.screenshot(path=str(artifacts / "export-job-done.png"), full_page=True)


def test_a_returned_request_is_in_the_unit_officers_inbox(demo, app, browsing, artifacts):  # noqa: F811
    import sqlalchemy as sa

    from app.extensions import db
    from budgets.models import FundingRequest
    with app.app_context():
        request_id, number = db.session.execute(sa.select(FundingRequest.id, FundingRequest.number).where(
            FundingRequest.status == "submitted").order_by(FundingRequest.id).limit(1)).one()
        db.session.remove()
    finance = browsing.page()
    demo_login(finance, "taichinh")
    finance.goto(f"/requests/{request_id}")
    form = finance.locator("form[action$='/return']")
    form.locator("textarea[name=reason]").fill("Bổ sung dự toán chi tiết từng hoạt động")
    form.locator("button[type=submit]").click()
    finance.wait_for_load_state()
    with app.app_context():
        from app.auth.models import User
        owner = db.session.execute(sa.select(User.username).join(FundingRequest, FundingRequest.unit_id == User.unit_id)
                                   .where(FundingRequest.id == request_id).order_by(User.id).limit(1)).scalar_one()
        db.session.remove()
    officer = browsing.page()
    demo_login(officer, owner)
    officer.goto("/notices")
    notice = by_testid(officer, "notice").first
    assert number in notice.inner_text() and notice.get_attribute("data-read") == "no"
    officer.screenshot(path=str(artifacts / "notices-inbox.png"), full_page=True)
    notice.locator("[data-testid=open-notice]").click()
    officer.wait_for_url(f"**/requests/{request_id}")
