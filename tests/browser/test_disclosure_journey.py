"""Issue 21 in a browser, on the demo province: the public disclosure page for anyone, and for
finance what the money bought (by managed topic) and the DIC's periodic report; each page kept as a
picture in test-artifacts/ (cong-khai.png, outputs.png, periodic.png). The `browsing` fixture checks
the Content-Security-Policy and runs axe-core on every page visited."""
import pytest

from app.core import clock
from tests.browser.pages import by_testid
from tests.browser.test_pages_under_csp import demo_login

pytestmark = pytest.mark.browser


def test_disclosure_outputs_and_the_periodic_report(demo, browsing, artifacts):  # noqa: F811
    year = clock.today().year
    anonymous = browsing.page()
    anonymous.goto("/cong-khai")
    assert anonymous.locator("h1").count() == 1
    anonymous.screenshot(path=str(artifacts / "cong-khai.png"), full_page=True)

    page = browsing.page()
    demo_login(page, "taichinh")
    page.goto(f"/reports/outputs?fiscal_year={year}&by=topic")
    rows = by_testid(page, "report-row")
    assert rows.count() >= 2
    keys = {rows.nth(i).get_attribute("data-key") for i in range(rows.count())}
    assert "chuyen_doi_so" in keys and "khac" in keys
    page.screenshot(path=str(artifacts / "outputs.png"), full_page=True)

    page.goto("/reports/periodic")
    page.select_option("#f-period", "year")
    page.click("[data-testid=filter-submit]")
    page.wait_for_url("**period=year**")
    assert by_testid(page, "periodic-row").count() >= 2
    assert by_testid(page, "topic-row").count() >= 1
    page.screenshot(path=str(artifacts / "periodic.png"), full_page=True)
    with page.expect_download() as download:
        page.click("[data-testid=periodic-xlsx]")
    assert download.value.suggested_filename == f"bao-cao-dinh-ky-{year}-year.xlsx"
