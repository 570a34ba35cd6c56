"""The Treasury's documents of ledger entries (issue 18; Decree 347/2025 appendix): which forms each
entry files, what they print (ký hiệu, amounts in figures and words, codes, payee, record numbers),
what they say is missing and who fills it, and who may read them. Text is read back with pypdf."""
import itertools

import pytest

from tests import support
from tests.auth.helpers import web_login
from tests.commissions import builders
from tests.pdftext import pdf_pages, pdf_text
from tests.reports.builders import HOSTILE

YEAR = support.YEAR
_keys = itertools.count(1)

DIC_PAPERWORK = {"chapter_code": "423", "address": "Số 2 Hùng Vương, phường Pleiku, tỉnh Gia Lai",
                 "treasury_account": "9523.2.1055123", "treasury_name": "Kho bạc Nhà nước khu vực XIV",
                 "head_name": "Nguyễn Thị Ửng Ỷ", "accountant_name": "Đặng Văn Ợ Ự"}


def treasury(client, entry_id):
    response = client.get(f"/api/v1/expenditures/{entry_id}/treasury.pdf")
    assert response.status_code == 200, response.get_data()[:300]
    assert response.mimetype == "application/pdf"
    return response.get_data()


def spend(officer, body):
    return support.ok(officer.post("/api/v1/expenditures", json=body,
                                   headers={"Idempotency-Key": f"treasury-{next(_keys)}"}), 201)


def body(allocation, commission, kind, amount, voucher, **extra):
    return {"allocation_id": allocation, "commission_id": commission, "kind": kind, "amount": amount,
            "paid_on": f"{YEAR}-06-01", "voucher_no": voucher, "payee": "Báo Gia Lai",
            "description": "Theo hợp đồng", **extra}


def test_an_advance_is_a_withdrawal_slip_with_the_advance_box(spending, roles):
    text = pdf_text(treasury(roles["dic"], spending.advance["id"]))
    for expected in ("Mẫu số 13", "Ký hiệu: C2-02a/NS", "GIẤY RÚT DỰ TOÁN NGÂN SÁCH NHÀ NƯỚC", "Tạm ứng",
                     spending.advance["number"], "Năm ngân sách: 2026", "TU-01/2026", "5.000.000",
                     "Năm triệu đồng", "05/2026/HĐ-ĐH", "30% giá trị hợp đồng", "Sở Văn hóa, Thể thao và Du lịch"):
        assert expected in text, expected
    supplier = spending.press["supplier"]
    assert supplier["name"] in text and supplier["tax_code"] in text


def test_what_the_records_lack_is_printed_as_missing_with_who_fills_it(spending, roles, app):
    text = pdf_text(treasury(roles["dic"], spending.advance["id"]))
    assert "chưa có tài khoản của đơn vị tại Kho bạc — quản trị viên cập nhật ở trang Đơn vị" in text
    assert ("Bảng còn thiếu: tiểu mục (mã nội dung kinh tế), mã ngành kinh tế (loại-khoản), mã nguồn ngân sách "
            "— Sở Tài chính ghi trên quyết định phân bổ") in text
    browser, _ = web_login(app, "sotttt")
    page = support.text(browser.get(f"/expenditures/{spending.advance['id']}"))
    assert "tài khoản của đơn vị tại Kho bạc — quản trị viên cập nhật ở trang Đơn vị" in page

    support.ok(roles["admin"].patch("/api/v1/units/SVHTTDL", json=DIC_PAPERWORK), 200)
    supplier = support.ok(roles["admin"].patch(f"/api/v1/suppliers/{spending.press['supplier']['id']}", json={
        "bank_account": "1020 0000 5678", "bank_name": "Ngân hàng TMCP Công Thương, chi nhánh Gia Lai"}), 200)
    text = pdf_text(treasury(roles["dic"], spending.advance["id"]))
    for expected in DIC_PAPERWORK.values():
        assert expected in text, expected
    assert supplier["bank_account"] in text and supplier["bank_name"] in text
    assert "chưa có tài khoản của đơn vị" not in text
    assert "chưa có tài khoản của nhà cung cấp" not in text
    page = support.text(browser.get(f"/expenditures/{spending.advance['id']}"))
    assert "tài khoản của đơn vị tại Kho bạc" not in page and "Tải PDF" in page


def test_a_payment_settling_an_advance_files_the_settlement_and_the_withdrawal(spending, roles):
    pages = pdf_pages(treasury(roles["finance"], spending.payment["id"]))
    text = " ".join(pages)
    settlement = text.index("C2-03/NS")
    withdrawal = text.index("C2-02a/NS")
    assert settlement < withdrawal
    assert "GIẤY ĐỀ NGHỊ THANH TOÁN TẠM ỨNG" in text
    # the advance settled (5,000,000, the balance before the payment) and the cash drawn (15,000,000)
    assert "Năm triệu đồng" in text and "Mười lăm triệu đồng" in text and "15.000.000" in text
    for link in spending.payment["deliverables"]:
        assert f"BB-NT-{link['deliverable_id']}" in text
    assert "TT-01/2026" in text


def test_a_payment_with_no_advance_lists_each_deliverable_it_pays(spending, roles, budget):
    training = spending.training
    lesson = training["deliverables"][0]["id"]
    paid = spend(roles["unit"], body(budget.allocation("unit", "training"), training["id"], "payment", 10_000_000,
                                     "TT-STP-02", invoice_no="HĐ 0001234", invoice_date=f"{YEAR}-05-30",
                                     deliverables=[{"deliverable_id": lesson, "amount": 10_000_000}]))
    text = pdf_text(treasury(roles["unit"], paid["id"]))
    assert "C2-03/NS" not in text and "C2-02a/NS" in text and "Thực chi" in text
    assert "BB-NT-STP-01" in text and "HĐ 0001234" in text and "30/05/2026" in text
    assert "Mười triệu đồng" in text


def test_a_recovery_is_a_refund_slip(spending, roles, budget):
    training, allocation = spending.training, budget.allocation("unit", "training")
    spend(roles["unit"], body(allocation, training["id"], "advance", 4_000_000, "TU-STP-01"))
    recovery = spend(roles["unit"], body(allocation, training["id"], "recovery", 1_500_000, "NT-STP-01"))
    text = pdf_text(treasury(roles["unit"], recovery["id"]))
    for expected in ("Mẫu số 08", "C2-05a/NS", "GIẤY NỘP TRẢ KINH PHÍ", "1.500.000",
                     "Một triệu năm trăm nghìn đồng", recovery["number"]):
        assert expected in text, expected
    assert "KNIH" not in text  # the source's typo is not copied


def test_a_reversal_gives_the_money_back_on_a_refund_slip(spending, roles):
    text = pdf_text(treasury(roles["unit"], spending.reversal["id"]))
    assert "C2-05a/NS" in text and "Thanh toán nhầm" in text and spending.reversed_payment["number"] in text
    assert "Mười triệu đồng" in text


def test_direct_spending_prints_its_text_as_given_and_asks_for_the_payee_details(spending, roles):
    text = pdf_text(treasury(roles["unit"], spending.direct["id"]))
    assert "C2-02a/NS" in text and HOSTILE in text and "@Nhà in" in text and "Ba triệu đồng" in text
    assert "chưa có mã số thuế người nhận — kế toán đơn vị ghi tay trước khi nộp Kho bạc" in text
    assert "không qua đặt hàng" in text


def test_a_unit_paying_from_a_deposit_account_files_a_payment_order(spending, roles):
    support.ok(roles["admin"].patch("/api/v1/units/STP", json={"pays_from_deposit": True}), 200)
    text = pdf_text(treasury(roles["unit"], spending.direct["id"]))
    assert "Mẫu số 17" in text and "C4-02a/KB" in text and "ỦY NHIỆM CHI" in text and "C2-02a/NS" not in text
    assert "Chủ tài khoản" in text and "Niên độ" in text


def test_the_invoice_and_economic_code_are_recorded_and_default_from_the_allocation(roles, budget, app):
    allocation = budget.allocation("unit", "operations")
    entry = spend(roles["unit"], body(allocation, None, "direct", 1_000_000, "CT-HD-01", invoice_no="0000321",
                                      invoice_date=f"{YEAR}-05-20", economic_code="6651"))
    assert (entry["invoice_no"], entry["invoice_date"], entry["economic_code"]) == ("0000321", f"{YEAR}-05-20",
                                                                                    "6651")
    plain = spend(roles["unit"], body(allocation, None, "direct", 1_000_000, "CT-HD-02"))
    coded = support.get(roles["finance"], f"/api/v1/allocations/{allocation}")["subsection_code"]
    assert plain["invoice_no"] is None and plain["economic_code"] == coded
    assert "6651" in pdf_text(treasury(roles["unit"], entry["id"]))


@pytest.mark.parametrize("extra,field", [
    ({"invoice_no": "0001"}, "invoice_date"), ({"invoice_date": f"{YEAR}-05-01"}, "invoice_no"),
    ({"invoice_no": "0001", "invoice_date": f"{YEAR + 1}-01-01"}, "invoice_date"),
    ({"economic_code": "66"}, "economic_code"), ({"economic_code": "66a1"}, "economic_code"),
    ({"invoice_no": "x" * 61, "invoice_date": f"{YEAR}-05-01"}, "invoice_no"),
])
def test_bad_invoice_or_economic_code_is_422_and_posts_nothing(roles, budget, app, extra, field):
    before = support.database_fingerprint(app)
    response = roles["unit"].post("/api/v1/expenditures", headers={"Idempotency-Key": f"bad-{next(_keys)}"},
                                  json=body(budget.allocation("unit", "operations"), None, "direct", 1_000, "CT-X",
                                            **extra))
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["details"]
    assert support.database_fingerprint(app) == before


def test_who_reads_a_treasury_document(spending, roles, app):
    path = f"/api/v1/expenditures/{spending.advance['id']}/treasury.pdf"
    assert roles["anonymous"].get(path).status_code == 401
    assert roles["unit"].get(path).status_code == 404          # another unit's entry
    assert roles["other_unit"].get(path).status_code == 404
    for reader in ("finance", "auditor"):
        assert roles[reader].get(path).status_code == 200
    assert roles["dic"].get("/api/v1/expenditures/999999999/treasury.pdf").status_code == 404
    download = roles["dic"].get(path + "?download=1")
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert download.headers["Cache-Control"] == "private, no-store"
    browser, _ = web_login(app, "sotttt")
    page = browser.get(f"/expenditures/{spending.advance['id']}/treasury.pdf")
    assert page.status_code == 200 and page.mimetype == "application/pdf"
    other, _ = web_login(app, "donvi")
    assert other.get(f"/expenditures/{spending.advance['id']}/treasury.pdf").status_code == 404


def test_a_payment_of_a_hundred_deliverables_continues_its_table_on_the_next_pages(roles, budget):
    items = [builders.item(f"Tin bài số {i} – Ửng Ỷ", "online_article", quantity=1, unit_price=100_000)
             for i in range(100)]
    commission = builders.signed_commission(roles["finance"], roles["dic"], budget.allocation("dic", "press"),
                                            budget.suppliers["press"], *items)
    lines = []
    for index, deliverable in enumerate(commission["deliverables"]):
        builders.deliver(roles["dic"], deliverable["id"], quantity=1)
        builders.accept(roles["dic"], deliverable["id"], accepted_quantity=1, record_no=f"BB-{index:03d}")
        lines.append({"deliverable_id": deliverable["id"], "amount": 100_000})
    paid = spend(roles["dic"], body(budget.allocation("dic", "press"), commission["id"], "payment", 10_000_000,
                                    "TT-100", deliverables=lines))
    pages = pdf_pages(treasury(roles["dic"], paid["id"]))
    assert len(pages) >= 3
    assert all("Nội dung thanh toán" in page for page in pages[:-1])  # the header on every page of the table
    text = " ".join(pages)
    assert "BB-000" in text and "BB-099" in text and "Tin bài số 99 – Ửng Ỷ" in text
    assert "10.000.000" in text and "Mười triệu đồng" in text
