"""Issue 10's journey: the DIC records an advance on a signed press contract, then a payment that
applies it and pays the rest of an accepted deliverable; finance reverses a wrong direct payment
(with a reason, after a confirmation); an auditor finds the payment by its voucher number and
follows it to the deliverable's acceptance record."""
import re
from datetime import date

import pytest

from app.core import clock
from tests.browser.pages import by_testid, login, open_nav

pytestmark = pytest.mark.browser

YEAR = date.today().year


def digits(typed: str) -> str:
    """An amount as typed or prefilled (20000000 or 20.000.000), its digits only."""
    return re.sub(r"\D", "", typed)


@pytest.fixture
def contract(app, world):
    """The DIC's signed press contract (2 × 10 × 2.000.000 ₫, advance up to 30%): its first deliverable
    delivered and accepted (record 07/BB-NT, 20.000.000 ₫), the second planned; an operations
    allocation of the DIC for direct spending."""
    from app.auth.services import get_user_by_username
    from app.extensions import db
    from budgets import services as budget_services
    from commissions import services
    world.unit("STC", "Sở Tài chính")
    world.unit("SVHTTDL", "Sở Văn hóa, Thể thao và Du lịch")
    world.user("sotttt", "dic_officer", "SVHTTDL", full_name="Lê Minh Thông")
    world.user("taichinh", "finance_officer", full_name="Trần Thị Tài")
    world.user("kiemtoan", "auditor", full_name="Phạm Kiểm Toán")
    with app.app_context():
        finance, dic = get_user_by_username("taichinh"), get_user_by_username("sotttt")
        envelope = budget_services.create_envelope(
            finance, fiscal_year=YEAR, code="TTTY", name="Kinh phí đặt hàng thông tin tuyên truyền thiết yếu",
            amount=3_000_000_000, decision_no="3457/QĐ-UBND", decision_date=date(YEAR, 1, 1))

        def allocate(category, decision_no):
            return budget_services.create_allocation(
                finance, envelope_id=envelope.id, unit_code="SVHTTDL", category=category, amount=300_000_000,
                decision_no=decision_no, decision_date=date(YEAR, 1, 2))

        press = allocate("press", "246/QĐ-STC")
        allocate("operations", "247/QĐ-STC")
        supplier = services.create_supplier(None, name="Báo và Phát thanh, Truyền hình Gia Lai", kind="press",
                                            tax_code="5900181213")
        commission = services.propose_commission(
            dic, allocation_id=press.id, supplier_id=supplier.id, title="Tin, bài về chuyển đổi số",
            method="bidding", topic="Chuyển đổi số", advance_limit_pct=30, deliverables=[
                {"title": title, "kind": "online_article", "quantity": 10, "unit_price": 2_000_000,
                 "due_date": date(YEAR, 12, 1)} for title in ("Tin bài đợt 1", "Tin bài đợt 2")])
        services.approve_commission(finance, commission)
        services.sign_commission(dic, commission, contract_no=f"12/{YEAR}/HĐ-ĐH", signed_on=date(YEAR, 2, 10))
        first = commission.deliverables[0]
        services.deliver(dic, first, delivered_on=date(YEAR, 3, 1), quantity=10)
        services.accept(dic, first, accepted_on=date(YEAR, 3, 2), accepted_quantity=10, record_no="07/BB-NT")
        db.session.commit()
        return {"id": commission.id, "number": commission.number}


def test_advance_payment_reversal_and_the_auditors_trail(contract, browsing, artifacts):
    dic, finance, auditor = browsing.page(), browsing.page(), browsing.page()
    login(dic, "sotttt")
    today = clock.today().isoformat()  # the form's default: today in Việt Nam

    # --- the DIC records an advance of 6.000.000 (30% of 20.000.000 would be the limit: 12.000.000)
    dic.goto(f"/commissions/{contract['id']}")
    by_testid(dic, "tab-money").click()
    by_testid(dic, "open-spend-advance").click()
    advance = by_testid(dic, "advance-form")
    # a refusal draws the page again on the same tab, its dialog open, the field in error focused
    advance.locator("[name=amount]").fill("nhiều")
    advance.locator("[name=voucher_no]").fill("TU-01/STTTT")
    advance.locator("[name=description]").fill("Tạm ứng theo điều 5 hợp đồng")
    with dic.expect_navigation() as refused:
        advance.locator("[data-testid=advance-submit]").click()
    assert refused.value.status == 422
    dic.locator("#f-amount-advance:focus").wait_for()
    assert by_testid(dic, "dialog-spend-advance").is_visible()
    assert by_testid(dic, "tab-money").get_attribute("aria-selected") == "true"
    assert by_testid(dic, "dialog-spend-advance").locator("[data-field-error=amount]").is_visible()
    assert advance.locator("[name=voucher_no]").input_value() == "TU-01/STTTT"
    advance.locator("[name=amount]").fill("6.000.000")
    advance.locator("[name=voucher_no]").fill("TU-01/STTTT")
    advance.locator("[name=description]").fill("Tạm ứng theo điều 5 hợp đồng")
    assert advance.locator("[name=paid_on]").input_value() in (today, clock.today().strftime("%d/%m/%Y"))
    advance.locator("[data-testid=advance-submit]").click()
    dic.wait_for_url(re.compile(r"/expenditures/\d+$"))
    assert by_testid(dic, "voucher-no").inner_text() == "TU-01/STTTT"
    assert by_testid(dic, "amount").inner_text().startswith("6.000.000")

    # --- then a payment: prefilled with the accepted 20.000.000, 6.000.000 of it from the advance
    dic.goto(f"/commissions/{contract['id']}#tab-money")  # the address opens the tab
    assert by_testid(dic, "schedule-outstanding").is_visible()
    assert by_testid(dic, "schedule-outstanding").inner_text().startswith("6.000.000")
    by_testid(dic, "open-spend-payment").click()
    payment = by_testid(dic, "payment-form")
    assert payment.locator("[data-testid=payment-line]").count() == 1
    assert digits(payment.locator("[data-testid=line-amount]").input_value()) == "20000000"
    assert digits(payment.locator("[name=advance_applied]").input_value()) == "6000000"
    assert digits(payment.locator("[name=amount]").input_value()) == "14000000"
    payment.locator("[name=voucher_no]").fill("TT-02/STTTT")
    payment.locator("[name=description]").fill("Thanh toán tin bài đợt 1 theo biên bản 07/BB-NT, trừ tạm ứng")
    payment.locator("[data-testid=payment-submit]").click()
    dic.wait_for_url(re.compile(r"/expenditures/\d+$"))
    assert by_testid(dic, "advance-applied").inner_text().startswith("6.000.000")
    dic.goto(f"/commissions/{contract['id']}")
    by_testid(dic, "tab-money").click()
    first = by_testid(dic, "schedule-row").first
    assert first.locator("[data-testid=schedule-paid]").inner_text().startswith("20.000.000")
    assert first.locator("[data-testid=schedule-remaining]").inner_text().startswith("0")
    assert by_testid(dic, "schedule-outstanding").inner_text().startswith("0")
    dic.screenshot(path=str(artifacts / "expenditure-commission-schedule.png"), full_page=True)

    # --- a wrong direct payment on the operations allocation
    open_nav(dic, "Chi trực tiếp")
    dic.wait_for_url("**/expenditures/new")
    operations = dic.locator("#f-allocation_id option", has_text="247/QĐ-STC").get_attribute("value")
    dic.select_option("#f-allocation_id", operations)
    dic.fill("#f-amount", "45.000.000")
    dic.fill("#f-voucher_no", "PC-09/STTTT")
    dic.fill("#f-payee", "Công ty In Pleiku")
    dic.fill("#f-description", "In áp phích (ghi nhầm số tiền)")
    dic.click("[data-testid=direct-submit]")
    dic.wait_for_url(re.compile(r"/expenditures/\d+$"))

    # --- finance finds it and reverses it, with a reason, after confirming
    login(finance, "taichinh")
    finance.goto("/expenditures")
    finance.fill("#f-q", "PC-09")
    finance.click("[data-testid=search-submit]")
    assert by_testid(finance, "expenditure-row").count() == 1
    finance.locator("[data-testid=expenditure-row] [data-testid=expenditure-link]").click()
    finance.wait_for_url(re.compile(r"/expenditures/\d+$"))
    finance.fill("#f-reverse-reason", "Nhập sai số tiền, phải là 4.500.000 đồng")
    questions = []
    finance.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.accept()))
    finance.click("[data-testid=reverse-submit]")
    finance.wait_for_selector("[data-testid=reversed-by]")
    assert questions and "Đảo khoản chi này?" in questions[0]
    assert "Nhập sai số tiền" in by_testid(finance, "reversed-by").inner_text()
    assert by_testid(finance, "reverse-form").count() == 0
    finance.click("[data-testid=reversal-link]")
    finance.wait_for_selector("[data-testid=reversal-of-link]")

    # --- the auditor finds the payment by its voucher number and follows it to the acceptance record
    login(auditor, "kiemtoan")
    open_nav(auditor, "Khoản chi")
    auditor.wait_for_url("**/expenditures")
    auditor.fill("#f-q", "TT-02/STTTT")
    auditor.click("[data-testid=search-submit]")
    rows = by_testid(auditor, "expenditure-row")
    assert rows.count() == 1
    rows.locator("[data-testid=expenditure-link]").click()
    auditor.wait_for_url(re.compile(r"/expenditures/\d+$"))
    assert by_testid(auditor, "reverse-form").count() == 0
    trail = by_testid(auditor, "trail").inner_text()
    for part in ("TTTY", "246/QĐ-STC", contract["number"], f"12/{YEAR}/HĐ-ĐH", "5900181213"):
        assert part in trail, part
    assert by_testid(auditor, "record-no").inner_text() == "07/BB-NT"
    auditor.screenshot(path=str(artifacts / "expenditure-trail.png"), full_page=True)
    auditor.click("[data-testid=paid-deliverable] [data-testid=deliverable-link]")
    auditor.wait_for_url(re.compile(r"/deliverables/\d+$"))
    assert by_testid(auditor, "record-no").inner_text() == "07/BB-NT"
    assert "TT-02/STTTT" in by_testid(auditor, "payments").inner_text()
