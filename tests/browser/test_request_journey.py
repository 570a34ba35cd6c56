"""DESIGN §9: a unit files a two-line request, finance returns it, the unit fixes and resubmits,
finance allocates part of it against an envelope, the unit's dashboard shows the allocation."""
import re
from datetime import date

import pytest

from tests.browser.pages import by_testid, login

pytestmark = pytest.mark.browser

YEAR = date.today().year
REASON = "Đề nghị bổ sung dự toán chi tiết lớp tập huấn (số học viên, định mức chi)."


@pytest.fixture
def people(world):
    world.unit("STC", "Sở Tài chính")
    world.unit("STP", "Sở Tư pháp")
    world.user("donvi", "unit_officer", "STP", full_name="Phạm Thu Pháp")
    world.user("taichinh", "finance_officer", full_name="Trần Thị Tài")


def fill_line(page, index, category, description, quantity, unit_cost):
    row = page.locator("tr.line-row").nth(index)
    row.locator("[data-field=category]").select_option(category)
    row.locator("[data-field=description]").fill(description)
    row.locator("[data-field=quantity]").fill(quantity)
    row.locator("[data-field=unit_cost]").fill(unit_cost)


def test_request_returned_fixed_and_allocated_in_part(people, browsing, artifacts):
    finance = browsing.page()
    unit = browsing.page()
    login(finance, "taichinh")
    login(unit, "donvi")

    # finance opens an envelope for the year through its form
    finance.goto("/envelopes")
    form = finance.locator("[data-testid=envelope-form]")
    assert form.locator("#f-fiscal_year").input_value() == str(YEAR)
    form.locator("#f-code").fill("TTCS")
    form.locator("#f-name").fill("Kinh phí truyền thông chính sách")
    form.locator("#f-amount").fill("5.000.000.000")
    form.locator("#f-decision_no").fill("3456/QĐ-UBND")
    form.locator("[data-testid=envelope-submit]").click()
    finance.wait_for_url(re.compile(r"/envelopes/\d+$"))
    assert by_testid(finance, "envelope-total").inner_text() == "5.000.000.000 ₫"
    assert by_testid(finance, "envelope-available").inner_text() == "5.000.000.000 ₫"

    # the unit files a two-line request; rows can be added and removed
    unit.goto("/requests/new")
    unit.fill("#f-title", "Tập huấn kỹ năng truyền thông chính sách pháp luật")
    unit.fill("#f-letter_no", "152/STP-VP")
    unit.fill("#f-justification", "Nâng cao kỹ năng phát ngôn, cung cấp thông tin cho báo chí.")
    assert unit.locator("tr.line-row").count() == 2
    by_testid(unit, "add-line").click()
    assert unit.locator("tr.line-row").count() == 3
    fill_line(unit, 0, "training", "Lớp tập huấn 2 ngày cho đội ngũ truyền thông", "2", "45.000.000")
    fill_line(unit, 1, "other", "Khảo sát hiệu quả sau tập huấn", "1", "30000000")
    fill_line(unit, 2, "other", "Dòng nhập nhầm", "1", "1.000")
    unit.locator("tr.line-row").nth(2).locator("[data-testid=remove-line]").click()
    assert unit.locator("tr.line-row").count() == 2
    assert by_testid(unit, "lines-total").inner_text() == "120.000.000 ₫"
    unit.screenshot(path=str(artifacts / "journey-1-new-request.png"), full_page=True)
    by_testid(unit, "save-submit").click()
    unit.wait_for_url(re.compile(r"/requests/\d+$"))
    request_url = unit.url
    number = by_testid(unit, "request-number").inner_text()
    assert re.fullmatch(rf"DN-{YEAR}-\d{{4}}", number)
    assert by_testid(unit, "status").get_attribute("data-status") == "submitted"
    assert by_testid(unit, "requested-total").inner_text() == "120.000.000 ₫"
    assert by_testid(unit, "request-line").count() == 2
    assert by_testid(unit, "edit-request").count() == 0  # submitted: no longer editable

    # finance finds it in the queue and returns it with a reason
    finance.goto("/finance")
    row = finance.locator(f"[data-testid=queue-row][data-number='{number}']")
    assert "120.000.000 ₫" in row.inner_text()
    row.locator("[data-testid=open-request]").click()
    finance.wait_for_url(request_url)
    finance.locator("[data-testid=return-form] textarea").fill(REASON)
    by_testid(finance, "return-submit").click()
    finance.wait_for_url("**/finance")
    assert f"Đã trả lại đề nghị {number}" in finance.content()
    assert by_testid(finance, "empty-queue").count() == 1

    # the unit sees the reason, fixes the request and sends it again
    unit.goto(request_url)
    assert by_testid(unit, "status").get_attribute("data-status") == "returned"
    assert REASON in by_testid(unit, "return-reason").inner_text()
    unit.screenshot(path=str(artifacts / "journey-2-returned.png"), full_page=True)
    by_testid(unit, "edit-request").click()
    assert REASON in by_testid(unit, "return-reason").inner_text()
    assert unit.locator("tr.line-row").nth(0).locator("[data-field=unit_cost]").input_value() == "45.000.000"
    unit.locator("tr.line-row").nth(0).locator("[data-field=description]").fill(
        "Lớp tập huấn 2 ngày cho 60 học viên (định mức theo Thông tư 36/2018/TT-BTC)")
    unit.locator("tr.line-row").nth(0).locator("[data-field=quantity]").fill("3")
    assert by_testid(unit, "lines-total").inner_text() == "165.000.000 ₫"
    by_testid(unit, "save-submit").click()
    unit.wait_for_url(request_url)
    assert by_testid(unit, "status").get_attribute("data-status") == "submitted"
    assert by_testid(unit, "requested-total").inner_text() == "165.000.000 ₫"

    # finance allocates part of it; an amount above the request is refused first, keeping the form
    finance.goto("/finance")
    finance.locator(f"[data-testid=queue-row][data-number='{number}'] [data-testid=open-request]").click()
    form = finance.locator("[data-testid=allocate-form]")
    assert "còn 5.000.000.000 ₫" in form.locator("#f-envelope_id").inner_text()
    envelope_value = form.locator("#f-envelope_id option", has_text="TTCS").get_attribute("value")
    form.locator("#f-envelope_id").select_option(envelope_value)
    form.locator("#f-category").select_option("training")
    form.locator("#f-amount").fill("200.000.000")
    form.locator("#f-decision_no").fill("245/QĐ-STC")
    by_testid(finance, "allocate-submit").click()
    assert "chỉ còn 165.000.000 ₫ chưa phân bổ" in by_testid(finance, "form-alert").inner_text()
    form = finance.locator("[data-testid=allocate-form]")
    assert form.locator("#f-decision_no").input_value() == "245/QĐ-STC"
    assert form.locator("#f-amount").input_value() == "200.000.000"
    form.locator("#f-amount").fill("100.000.000")
    by_testid(finance, "allocate-submit").click()
    finance.wait_for_url(request_url)
    assert by_testid(finance, "status").get_attribute("data-status") == "approved"
    assert by_testid(finance, "approved-total").inner_text() == "100.000.000 ₫"
    assert by_testid(finance, "remaining").inner_text() == "65.000.000 ₫"
    assert "245/QĐ-STC" in by_testid(finance, "request-allocations").inner_text()
    finance.screenshot(path=str(artifacts / "journey-3-allocated.png"), full_page=True)

    # the unit's dashboard shows the allocation and its bar
    unit.goto("/dashboard")
    rows = by_testid(unit, "allocation-row")
    assert rows.count() == 1
    assert "245/QĐ-STC" in rows.first.inner_text()
    assert by_testid(unit, "allocation-amount").inner_text() == "100.000.000 ₫"
    assert by_testid(unit, "total-available").inner_text() == "100.000.000 ₫"
    assert rows.first.locator("[data-testid=usage-bar]").is_visible()
    assert number in by_testid(unit, "recent-requests").inner_text()
    unit.screenshot(path=str(artifacts / "journey-4-dashboard.png"), full_page=True)

    # the envelope shows what is left
    finance.goto("/envelopes")
    assert by_testid(finance, "envelope-available").inner_text() == "4.900.000.000 ₫"
