"""Issue 15's journey in chromium: finance opens the budget year from the menu, reads the preview of
the close, closes last year with its carry-over document, and reads the Mẫu 31 report; the auditor
then finds the year closed. With DOCS_SCREENSHOTS=1 the pictures go to docs/images/ (the user guide
shows them), otherwise to test-artifacts/."""
import os
from pathlib import Path

import pytest

from tests.browser.pages import by_testid, login, open_nav
from tests.budgets.builders import PAST

pytestmark = pytest.mark.browser

DOCS_IMAGES = Path(__file__).resolve().parents[2] / "docs" / "images"


@pytest.fixture
def pictures(artifacts):
    if os.environ.get("DOCS_SCREENSHOTS") == "1":
        DOCS_IMAGES.mkdir(exist_ok=True)
        return DOCS_IMAGES
    return artifacts


def test_finance_closes_last_year_and_reads_the_settlement(past_year, browsing, pictures):
    finance = browsing.page()
    login(finance, "taichinh")
    open_nav(finance, "Năm ngân sách")
    finance.wait_for_url("**/years")
    finance.locator(f"[data-year='{PAST}'] a").click()
    assert by_testid(finance, "preview-carry").locator("tbody tr").count() == 1
    assert past_year["carried"]["number"] in by_testid(finance, "preview-carry").inner_text()
    assert past_year["unsigned"]["number"] in by_testid(finance, "preview-cancel-commissions").inner_text()
    finance.screenshot(path=str(pictures / "nam-ngan-sach-xem-truoc.png"), full_page=True)

    finance.fill("#f-decision_no", "215/STC-QLNS")
    finance.fill("#f-decision_date", f"06/02/{PAST + 1}")
    by_testid(finance, "close-submit").click()
    finance.wait_for_selector("[data-testid=closed-note]")
    assert by_testid(finance, "year-status").inner_text() == "Đã khóa sổ"
    assert by_testid(finance, "total-carried_over").inner_text() == "100.000.000 ₫"
    finance.screenshot(path=str(pictures / "nam-ngan-sach-da-khoa-so.png"), full_page=True)

    by_testid(finance, "settlement-link").click()
    total = by_testid(finance, "settlement-total")
    assert total.locator("[data-col=carried_balance]").inner_text() == "80.000.000 ₫"
    assert total.locator("[data-col=carried_advance]").inner_text() == "20.000.000 ₫"
    finance.screenshot(path=str(pictures / "mau-31.png"), full_page=True)

    auditor = browsing.page()
    login(auditor, "kiemtoan")
    auditor.goto(f"/years/{PAST}")
    assert by_testid(auditor, "year-status").inner_text() == "Đã khóa sổ"
    assert auditor.locator("[data-testid=close-form]").count() == 0
