"""DESIGN §9 and issue 9: a DIC officer proposes a press commission with three deliverables; finance
approves it and sees the allocation's available amount fall; the DIC signs it, records the delivery
of one deliverable with an uploaded PDF and accepts it."""
import re
from datetime import date

import pytest

from tests.browser.pages import by_testid, login, open_nav
from tests.support import PDF_BYTES

pytestmark = pytest.mark.browser

YEAR = date.today().year


@pytest.fixture
def press_allocation(app, world):
    """The DIC with a press allocation of 300.000.000 ₫ and the province's press body as a supplier."""
    from app.auth.services import get_user_by_username
    from app.extensions import db
    from budgets import services as budget_services
    from commissions import services
    world.unit("STC", "Sở Tài chính")
    world.unit("SVHTTDL", "Sở Văn hóa, Thể thao và Du lịch")
    world.user("sotttt", "dic_officer", "SVHTTDL", full_name="Lê Minh Thông")
    world.user("taichinh", "finance_officer", full_name="Trần Thị Tài")
    with app.app_context():
        finance = get_user_by_username("taichinh")
        envelope = budget_services.create_envelope(
            finance, fiscal_year=YEAR, code="TTTY", name="Kinh phí đặt hàng thông tin tuyên truyền thiết yếu",
            amount=3_000_000_000, decision_no="3457/QĐ-UBND", decision_date=date(YEAR, 1, 1))
        allocation = budget_services.create_allocation(
            finance, envelope_id=envelope.id, unit_code="SVHTTDL", category="press", amount=300_000_000,
            decision_no="246/QĐ-STC", decision_date=date(YEAR, 1, 2))
        services.create_supplier(None, name="Báo và Phát thanh, Truyền hình Gia Lai", kind="press",
                                 tax_code="5900181213")
        services.create_supplier(None, name="Trường Chính trị tỉnh Gia Lai", kind="training", tax_code="5902258479")
        db.session.commit()
        return allocation.id


def fill_deliverable(page, index, title, kind, quantity, unit_price, due_date):
    row = page.locator("tr.deliverable-row").nth(index)
    row.locator("[data-field=title]").fill(title)
    row.locator("[data-field=kind]").select_option(kind)
    row.locator("[data-field=quantity]").fill(quantity)
    row.locator("[data-field=unit_price]").fill(unit_price)
    row.locator("[data-field=due_date]").fill(due_date)


def test_press_commission_proposed_approved_signed_delivered_accepted(press_allocation, browsing, artifacts):
    dic = browsing.page()
    finance = browsing.page()
    login(dic, "sotttt")
    login(finance, "taichinh")

    # the DIC proposes from its menu; choosing the allocation shows its category and what is left
    open_nav(dic, "Đề xuất đặt hàng")
    dic.wait_for_url("**/commissions/new")
    assert by_testid(dic, "allocation-available").inner_text() == "—"
    dic.locator("#f-allocation_id").select_option(str(press_allocation))
    assert by_testid(dic, "allocation-available").inner_text() == "300.000.000 ₫"
    assert by_testid(dic, "allocation-category").inner_text() == "Đặt hàng báo chí"
    dic.fill("#f-title", "Đặt hàng thông tin tuyên truyền thiết yếu về chuyển đổi số")
    dic.fill("#f-topic", "Chuyển đổi số")
    press_body = dic.locator("#f-supplier_id option", has_text="Báo và Phát thanh").get_attribute("value")
    dic.locator("#f-supplier_id").select_option(press_body)
    dic.fill("#f-advance_limit_pct", "30")
    # ordered work is paid at approved unit prices: the price basis is asked for, not for bidding
    assert by_testid(dic, "price-basis").is_visible()
    dic.locator("#f-method").select_option("bidding")
    assert not by_testid(dic, "price-basis").is_visible()
    dic.locator("#f-method").select_option("order")
    dic.fill("#f-price_decision_no", "25/QĐ-UBND")
    dic.fill("#f-price_decision_date", f"15/01/{YEAR}")

    # a press allocation offers press products (and "other"), not training courses
    kinds = dic.locator("tr.deliverable-row").first.locator("[data-field=kind]")
    assert kinds.locator("optgroup[data-category=press]").evaluate("g => !g.hidden && !g.disabled")
    assert kinds.locator("optgroup[data-category=training]").evaluate("g => g.hidden && g.disabled")
    assert dic.locator("tr.deliverable-row").count() == 2
    by_testid(dic, "add-deliverable").click()
    by_testid(dic, "add-deliverable").click()
    assert dic.locator("tr.deliverable-row").count() == 4
    fill_deliverable(dic, 0, "Tin, bài trên Báo Gia Lai điện tử", "online_article", "20", "3500000", f"30/11/{YEAR}")
    fill_deliverable(dic, 1, "Phóng sự truyền hình “Chuyển đổi số ở phường, xã”", "tv_segment", "4", "18.000.000",
                     f"15/12/{YEAR}")
    fill_deliverable(dic, 2, "Dòng nhập nhầm", "video", "1", "1.000", f"15/12/{YEAR}")
    fill_deliverable(dic, 3, "Infographic chính sách chuyển đổi số", "infographic", "10", "2.000.000",
                     f"20/01/{YEAR + 1}")  # a deadline in the next year is ordinary (DESIGN §11)
    dic.locator("tr.deliverable-row").nth(2).locator("[data-testid=remove-deliverable]").click()
    assert dic.locator("tr.deliverable-row").count() == 3
    dic.locator("tr.deliverable-row").first.locator("[data-field=unit_price]").blur()
    assert dic.locator("tr.deliverable-row").first.locator("[data-field=unit_price]").input_value() == "3.500.000"
    assert by_testid(dic, "deliverables-total").inner_text() == "162.000.000 ₫"
    assert not by_testid(dic, "over-available").is_visible()
    dic.screenshot(path=str(artifacts / "commission-1-proposal-form.png"), full_page=True)
    by_testid(dic, "propose-submit").click()
    dic.wait_for_url(re.compile(r"/commissions/\d+$"))
    detail = dic.url
    number = by_testid(dic, "commission-number").inner_text()
    assert re.fullmatch(rf"DH-{YEAR}-\d{{4}}", number)
    assert by_testid(dic, "status").get_attribute("data-status") == "proposed"
    assert by_testid(dic, "balance-value").inner_text() == "162.000.000 ₫"
    assert by_testid(dic, "deliverable").count() == 3
    assert by_testid(dic, "sign-form").count() == 0  # finance approves first

    # finance sees it in its queue beside the allocation's available amount, and approves it
    open_nav(finance, "Duyệt đặt hàng")
    finance.wait_for_url("**/commissions/queue")
    row = finance.locator(f"[data-testid=queue-row][data-number='{number}']")
    assert row.locator("[data-testid=queue-available]").inner_text().strip() == "300.000.000 ₫"
    assert row.locator("[data-testid=queue-value]").inner_text() == "162.000.000 ₫"
    finance.screenshot(path=str(artifacts / "commission-2-queue.png"), full_page=True)
    row.locator("[data-testid=open-commission]").click()
    finance.wait_for_url(detail)
    assert by_testid(finance, "allocation-available").inner_text() == "300.000.000 ₫"
    by_testid(finance, "open-approve").click()  # the approval opens as a dialog with what it leaves
    by_testid(finance, "dialog-approve").wait_for()
    assert by_testid(finance, "available-after").inner_text() == "138.000.000 ₫"
    by_testid(finance, "approve-submit").click()
    finance.wait_for_selector("[data-testid=status][data-status=approved]")
    assert f"Đã duyệt đặt hàng {number}" in finance.content()
    assert by_testid(finance, "allocation-available").inner_text() == "138.000.000 ₫"
    assert by_testid(finance, "balance-committed").inner_text() == "162.000.000 ₫"
    by_testid(finance, "allocation-link").click()
    finance.wait_for_url(f"**/allocations/{press_allocation}")
    assert by_testid(finance, "allocation-available").inner_text() == "138.000.000 ₫"
    assert by_testid(finance, "allocation-committed").inner_text() == "162.000.000 ₫"
    finance.goto("/commissions/queue")
    assert by_testid(finance, "empty-queue").count() == 1

    # the DIC signs the contract
    dic.goto(detail)
    assert by_testid(dic, "status").get_attribute("data-status") == "approved"
    by_testid(dic, "open-sign").click()
    form = by_testid(dic, "sign-form")
    form.locator("[name=contract_no]").fill(f"12/{YEAR}/HĐ-ĐH")
    form.locator("[name=signed_on]").fill(f"10/02/{YEAR}")
    by_testid(dic, "sign-submit").click()
    dic.wait_for_selector("[data-testid=status][data-status=signed]")
    assert by_testid(dic, "contract").inner_text() == f"12/{YEAR}/HĐ-ĐH · 10/02/{YEAR}"
    assert by_testid(dic, "deliver-form").count() == 3

    # it records the delivery of the articles with the list of articles as a PDF
    by_testid(dic, "tab-deliverables").click()  # one card per deliverable, each with its actions
    first = by_testid(dic, "deliverable").first
    first_id = first.get_attribute("data-id")
    assert first.is_visible()
    by_testid(dic, f"open-deliver-{first_id}").click()
    deliver = dic.locator(f"form[action='/deliverables/{first_id}/deliver']")
    assert deliver.locator("[name=quantity]").input_value() == "20"
    deliver.locator("[name=evidence_url]").fill("https://baogialai.com.vn/chuyen-de/chuyen-doi-so")
    deliver.locator("[name=note]").fill("20 tin, bài đăng từ 01/03 đến 30/11")
    deliver.locator("[name=file]").set_input_files(
        files=[{"name": "danh-sach-tin-bai.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}])
    deliver.locator("[data-testid=deliver-submit]").click()
    dic.wait_for_url(re.compile(rf"/commissions/\d+#d-{first_id}$"))
    assert "Đã ghi nhận giao sản phẩm" in dic.content()
    first = dic.locator(f"[data-testid=deliverable][data-id='{first_id}']")
    assert first.locator("[data-testid=deliverable-status]").get_attribute("data-status") == "delivered"
    documents = by_testid(dic, f"deliverable-detail-{first_id}").locator("[data-testid=document-link]")
    assert documents.inner_text() == "danh-sach-tin-bai.pdf"
    download = dic.request.get(documents.get_attribute("href"))
    assert download.status == 200 and download.body() == PDF_BYTES

    # and accepts it with the acceptance record (the page came back on the deliverables' tab)
    assert first.is_visible()
    by_testid(dic, f"open-accept-{first_id}").click()
    accept = dic.locator(f"form[action='/deliverables/{first_id}/accept']")
    assert accept.locator("[name=accepted_quantity]").input_value() == "20"
    accept.locator("[name=record_no]").fill("07/BB-NT")
    accept.locator("[data-testid=accept-submit]").click()
    dic.wait_for_url(re.compile(rf"/commissions/\d+#d-{first_id}$"))
    first = dic.locator(f"[data-testid=deliverable][data-id='{first_id}']")
    assert first.locator("[data-testid=deliverable-status]").get_attribute("data-status") == "accepted"
    acceptance = by_testid(dic, f"deliverable-detail-{first_id}").locator("[data-testid=acceptance]")
    assert "07/BB-NT" in acceptance.inner_text()
    assert acceptance.locator("[data-testid=accepted-value]").inner_text() == "70.000.000 ₫"
    by_testid(dic, "tab-history").click()
    history = by_testid(dic, "history").inner_text()
    for label in ("Đề xuất đặt hàng", "Duyệt, cam kết kinh phí", "Ký hợp đồng", "Giao sản phẩm", "Nghiệm thu sản phẩm"):
        assert label in history
    by_testid(dic, "tab-overview").click()
    assert by_testid(dic, "close-waiting").is_visible()  # two lines still to deliver
    dic.screenshot(path=str(artifacts / "commission-3-detail.png"), full_page=True)
