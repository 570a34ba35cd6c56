"""Issue 11's journey: an auditor opens the execution dashboard from the menu (the whole province),
filters it by one unit, downloads that unit's ledger workbook, and the file opens with the six sheets
an auditor reads; then follows a flag to the record it is about. The province is the report tests'
`spending` world, made through the API."""
import re

import pytest

from tests.browser.pages import by_testid, login, open_nav
from tests.support import YEAR

pytestmark = pytest.mark.browser

SHEETS = ["Tổng hợp", "Sổ chi", "Đặt hàng", "Sản phẩm", "Điều chỉnh dự toán", "Mẫu 31", "Cảnh báo", "Nhật ký"]


def test_an_auditor_filters_the_dashboard_and_downloads_the_workbook(spending, browsing, artifacts):
    import openpyxl
    auditor = browsing.page()
    login(auditor, "kiemtoan")
    open_nav(auditor, "Tình hình thực hiện")
    auditor.wait_for_url("**/reports")
    if str(YEAR) not in auditor.locator("h1").inner_text():  # the menu opens the current year
        auditor.select_option("#f-fiscal_year", str(YEAR))
        auditor.click("[data-testid=filter-submit]")
    assert "Toàn tỉnh" in by_testid(auditor, "report-scope").inner_text()
    assert by_testid(auditor, "report-row").count() == 3
    assert by_testid(auditor, "total-spent").inner_text() == "25.000.000 ₫"
    # the bars are drawn by app.js from data-pct (no style= under the CSP): the DIC's spent part shows
    spent_part = auditor.locator("[data-key=SVHTTDL] [data-testid=usage-bar] .progress").first
    assert spent_part.evaluate("el => el.getBoundingClientRect().width") > 0
    auditor.screenshot(path=str(artifacts / "reports-dashboard-province.png"), full_page=True)
    # the year month by month (issue 19 item 7): one SVG drawn for the width, its figures one click away
    chart = by_testid(auditor, "monthly-chart")
    drawing = chart.locator("svg[role=img]:visible")
    assert drawing.count() == 1 and drawing.locator("[data-testid=monthly-chart-bar]").count() >= 1
    assert drawing.evaluate("el => el.getBoundingClientRect().right") <= \
        chart.evaluate("el => el.getBoundingClientRect().right")
    chart.locator("summary").click()
    assert chart.locator("[data-testid=month-row]").count() == 12 and chart.locator("table").is_visible()

    # --- one unit: the DIC, by category
    auditor.select_option("#f-unit", "SVHTTDL")
    auditor.select_option("#f-by", "category")
    auditor.click("[data-testid=filter-submit]")
    auditor.wait_for_url(re.compile(r"unit=SVHTTDL"))
    assert "Sở Văn hóa, Thể thao và Du lịch (SVHTTDL)" in by_testid(auditor, "report-scope").inner_text()
    assert by_testid(auditor, "total-spent").inner_text() == "20.000.000 ₫"
    assert auditor.locator("[data-testid=report-row][data-key=press] [data-testid=row-spent]").inner_text() \
        == "20.000.000 ₫"
    auditor.screenshot(path=str(artifacts / "reports-dashboard-unit.png"), full_page=True)
    link = by_testid(auditor, "download-xlsx")
    assert "unit=SVHTTDL" in link.get_attribute("href")

    # --- the workbook of that unit
    with auditor.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    saved = artifacts / "reports-ledger-SVHTTDL.xlsx"
    download.save_as(str(saved))
    book = openpyxl.load_workbook(saved, read_only=True)
    assert book.sheetnames == SHEETS
    book.close()

    # --- the flags: STP's direct spending has no document; its link opens the expenditure's trail
    open_nav(auditor, "Cảnh báo")
    auditor.wait_for_url("**/reports/flags")
    assert by_testid(auditor, "flag-row").count() >= 1
    auditor.screenshot(path=str(artifacts / "reports-flags.png"), full_page=True)
    auditor.locator(f"[data-testid=flag-link][href='/expenditures/{spending.direct['id']}']").click()
    auditor.wait_for_url(f"**/expenditures/{spending.direct['id']}")
    assert by_testid(auditor, "voucher-no").inner_text() == "+CT-03"
