"""The expenditure pages with the Flask test client: the advance, payment, recovery and direct
spending forms (success, bad input 422 with what was typed kept, a broken rule 409 with its message,
nothing changed), finance's reversal, the trail, the deliverable page, the search, and who may see
what (another unit's entry 404, admin 403, the auditor reads without forms)."""
import re

import pytest

from app.core import clock
from tests import support
from tests.commissions import builders
from tests.fixtures.worlds import build_world, saved_world
from tests.support import Browser, text

YEAR = builders.YEAR
TODAY = clock.today().isoformat()  # in Việt Nam, as the forms' default


@saved_world(scope="module")
def _book_world(app, _roles_world, _budget_world):
    return build_world(app, "expenditure_pages.book",
                       lambda: _build_book(_roles_world.clients(app), _budget_world.copy()),
                       base=_budget_world)


@pytest.fixture
def book(_book_world):
    """On the `budget` world: the DIC's signed press commission (2 × 10.000.000 ₫, advance up to 30%),
    its first deliverable accepted (record BB-NT-01), the second planned. Built once for the module,
    restored before each test."""
    return _book_world.copy()


def _build_book(roles, budget):
    commission = builders.signed_commission(roles["finance"], roles["dic"], budget.allocation("dic", "press"),
                                            budget.suppliers["press"])
    first, second = (d["id"] for d in commission["deliverables"])
    builders.deliver(roles["dic"], first)
    builders.accept(roles["dic"], first)
    return {"commission": commission["id"], "accepted": first, "planned": second,
            "allocation": budget.allocation("dic", "press"), "training": budget.allocation("unit", "training"),
            "press_stp": budget.allocation("unit", "press")}


def _voucher(no, **extra):
    return {"paid_on": TODAY, "voucher_no": no, "payee": "Báo Gia Lai", "description": "Theo hợp đồng", **extra}


def _commission(roles, book):
    return support.get(roles["finance"], f"/api/v1/commissions/{book['commission']}")


def _entries(roles):
    return support.get(roles["finance"], "/api/v1/expenditures")["total"]


def _page(book):
    return f"/commissions/{book['commission']}"


def _spend(book):
    return f"/commissions/{book['commission']}/expenditures"


def test_advance_then_payment_prefilled_with_what_remains(app, roles, book):
    dic = Browser(app, "sotttt")
    page = text(dic.get(_page(book)))
    assert 'data-testid="advance-form"' in page and 'data-testid="payment-form"' in page
    response = dic.submit(_page(book), _spend(book), {"kind": "advance", "amount": "3.000.000", **_voucher("TU-01")})
    assert response.status_code == 302, text(response)
    trail = text(dic.get(response.headers["Location"]))
    assert "TU-01" in trail and "3.000.000" in trail
    assert _commission(roles, book)["outstanding_advance"] == 3_000_000

    page = text(dic.get(_page(book)))
    # the payment form offers the accepted deliverable with its 10.000.000 unpaid, 3.000.000 of it
    # from the advance, 7.000.000 to pay now
    assert 'name="deliverables-0-deliverable_id" value="%d"' % book["accepted"] in page
    # amounts are offered grouped with dots, as the department writes them (issue 20 item 6)
    assert 'value="10.000.000" data-testid="line-amount"' in page
    assert re.search(r'name="advance_applied"[^>]*\svalue="3.000.000"', page)
    assert re.search(r'name="amount"[^>]*\svalue="7.000.000"', page)
    response = dic.submit(_page(book), _spend(book), {
        "kind": "payment", "amount": "7000000", "advance_applied": "3000000",
        "deliverables-0-deliverable_id": str(book["accepted"]), "deliverables-0-amount": "10000000",
        **_voucher("TT-01")})
    assert response.status_code == 302, text(response)
    after = _commission(roles, book)
    assert (after["paid"], after["outstanding_advance"]) == (10_000_000, 0)
    schedule = text(dic.get(_page(book)))
    assert 'data-testid="nothing-payable"' in schedule
    deliverable = text(dic.get(f"/deliverables/{book['accepted']}"))
    assert "TT-01" in deliverable and 'data-testid="payment-row"' in deliverable


def test_bad_input_keeps_what_was_typed(app, roles, book):
    dic = Browser(app, "sotttt")
    before = _entries(roles)
    response = dic.submit(_page(book), _spend(book), {"kind": "advance", "amount": "nhiều", **_voucher("TU-GÕ")})
    assert response.status_code == 422
    page = text(response)
    assert 'data-field-error="amount"' in page and 'value="nhiều"' in page and 'value="TU-GÕ"' in page
    assert _entries(roles) == before


def test_rule_refusals_409_with_the_rules_message(app, roles, book):
    dic = Browser(app, "sotttt")
    before = _commission(roles, book)
    # an advance above 30% of 20.000.000
    response = dic.submit(_page(book), _spend(book), {"kind": "advance", "amount": "7.000.000", **_voucher("TU-9")})
    assert response.status_code == 409
    page = text(response)
    assert "Tạm ứng vượt mức 30%" in page and 'value="7.000.000"' in page
    # a payment above what remains of the accepted deliverable
    response = dic.submit(_page(book), _spend(book), {
        "kind": "payment", "amount": "11000000", "deliverables-0-deliverable_id": str(book["accepted"]),
        "deliverables-0-amount": "11000000", **_voucher("TT-9")})
    assert response.status_code == 409
    assert "chỉ còn 10.000.000" in text(response) and 'value="11.000.000"' in text(response)
    # a line's bad amount is reported under the lines, in words
    response = dic.submit(_page(book), _spend(book), {
        "kind": "payment", "amount": "1000", "deliverables-0-deliverable_id": str(book["accepted"]),
        "deliverables-0-amount": "mười", **_voucher("TT-7")})
    assert response.status_code == 422
    lines = re.search(r'data-field-error="deliverables">(.*?)</div>', text(response), re.S).group(1)
    assert "amount" not in lines and lines.strip()
    # an advance applied above what is outstanding (nothing was advanced)
    response = dic.submit(_page(book), _spend(book), {
        "kind": "payment", "amount": "9000000", "advance_applied": "1000000",
        "deliverables-0-deliverable_id": str(book["accepted"]), "deliverables-0-amount": "10000000",
        **_voucher("TT-8")})
    assert response.status_code == 409
    assert "Tạm ứng còn lại chỉ 0" in text(response) and 'data-field-error="advance_applied"' in text(response)
    # a recovery with nothing advanced
    response = dic.submit(_page(book), _spend(book), {"kind": "recovery", "amount": "1000", **_voucher("TH-9")})
    assert response.status_code == 409
    assert _commission(roles, book) == before and _entries(roles) == 0


def test_unticked_deliverable_is_not_paid(app, roles, book):
    dic = Browser(app, "sotttt")
    response = dic.submit(_page(book), _spend(book), {
        "kind": "payment", "amount": "10000000", "deliverables-0-amount": "10000000", **_voucher("TT-2")})
    assert response.status_code == 422
    assert "Thanh toán phải gắn với sản phẩm đã nghiệm thu." in text(response)
    assert _entries(roles) == 0


def test_recovery_and_duplicate_voucher(app, roles, book):
    dic = Browser(app, "sotttt")
    assert dic.submit(_page(book), _spend(book), {"kind": "advance", "amount": "2000000",
                                                  **_voucher("TU-1")}).status_code == 302
    assert 'data-testid="recovery-form"' in text(dic.get(_page(book)))
    again = dic.submit(_page(book), _spend(book), {"kind": "advance", "amount": "2000000", **_voucher("TU-1")})
    assert again.status_code == 422 and "Số chứng từ TU-1 đã được dùng." in text(again)
    assert _entries(roles) == 1
    response = dic.submit(_page(book), _spend(book), {"kind": "recovery", "amount": "2000000", **_voucher("TH-1")})
    assert response.status_code == 302
    assert _commission(roles, book)["outstanding_advance"] == 0


def test_direct_spending_with_a_document(app, roles, book):
    import io
    stp = Browser(app, "donvi")
    form = text(stp.get("/expenditures/new"))
    assert f'value="{book["training"]}"' in form and f'value="{book["press_stp"]}"' not in form
    response = stp.submit("/expenditures/new", "/expenditures/new", {
        "allocation_id": str(book["training"]), "amount": "1.500.000", **_voucher("PC-01", payee="Trường Chính trị"),
        "file": (io.BytesIO(support.PDF_BYTES), "phieu-chi.pdf")}, content_type="multipart/form-data")
    assert response.status_code == 302, text(response)
    trail = text(stp.get(response.headers["Location"]))
    assert "PC-01" in trail and "phieu-chi.pdf" in trail and "1.500.000" in trail
    # a press allocation is commissioned, not spent directly
    response = stp.submit("/expenditures/new", "/expenditures/new", {
        "allocation_id": str(book["press_stp"]), "amount": "1000", **_voucher("PC-02")})
    assert response.status_code == 422 and 'data-field-error="allocation_id"' in text(response)
    assert 'value="PC-02"' in text(response)
    assert _entries(roles) == 1


def _direct(roles, book, voucher="PC-SAI", amount=900_000):
    return support.ok(roles["unit"].post("/api/v1/expenditures", json={
        "allocation_id": book["training"], "kind": "direct", "amount": amount, **_voucher(voucher)},
        headers={"Idempotency-Key": voucher}), 201)["id"]


def test_finance_reverses_with_a_reason(app, roles, book):
    entry = _direct(roles, book)
    finance = Browser(app, "taichinh")
    page = text(finance.get(f"/expenditures/{entry}"))
    assert 'data-testid="reverse-form" data-confirm=' in page
    response = finance.submit(f"/expenditures/{entry}", f"/expenditures/{entry}/reverse", {"reason": ""})
    assert response.status_code == 422 and 'data-field-error="reason"' in text(response)
    assert support.get(roles["finance"], f"/api/v1/expenditures/{entry}")["status"] == "posted"
    response = finance.submit(f"/expenditures/{entry}", f"/expenditures/{entry}/reverse",
                              {"reason": "Ghi nhầm số tiền"})
    assert response.status_code == 302
    page = text(finance.get(f"/expenditures/{entry}"))
    assert 'data-testid="reversal-link"' in page and "Ghi nhầm số tiền" in page
    assert 'data-testid="reverse-form"' not in page
    assert support.get(roles["finance"], f"/api/v1/allocations/{book['training']}")["spent"] == 0
    reversal = support.get(roles["finance"], "/api/v1/expenditures?voucher_no=/ĐẢO")["items"][0]["id"]
    back = text(finance.get(f"/expenditures/{reversal}"))
    assert 'data-testid="reversal-of-link"' in back and 'data-testid="reverse-form"' not in back


def test_the_trail_of_a_payment(app, roles, book):
    dic = roles["dic"]
    payment = support.ok(dic.post("/api/v1/expenditures", json={
        "allocation_id": book["allocation"], "commission_id": book["commission"], "kind": "payment",
        "amount": 4_000_000, "deliverables": [{"deliverable_id": book["accepted"], "amount": 4_000_000}],
        **_voucher("TT-77")}, headers={"Idempotency-Key": "tt-77"}), 201)["id"]
    auditor = Browser(app, "kiemtoan")
    page = text(auditor.get(f"/expenditures/{payment}"))
    for testid in ("trail-envelope", "trail-allocation", "trail-commission", "trail-contract", "trail-supplier",
                   "paid-deliverable", "record-no", "history-entry"):
        assert f'data-testid="{testid}"' in page, testid
    assert "BB-NT-01" in page and "05/2026/HĐ-ĐH" in page and "TT-77" in page
    assert 'data-testid="reverse-form"' not in page  # the auditor reads, never acts
    commission = text(auditor.get(_page(book)))
    assert 'data-testid="payment-schedule"' in commission and 'data-testid="payment-form"' not in commission
    assert 'data-testid="advance-form"' not in commission


def test_search_by_voucher_supplier_commission_and_amount(app, roles, book):
    support.ok(roles["dic"].post("/api/v1/expenditures", json={
        "allocation_id": book["allocation"], "commission_id": book["commission"], "kind": "advance",
        "amount": 1_234_567, **_voucher("TU-TIM")}, headers={"Idempotency-Key": "tu-tim"}), 201)
    _direct(roles, book, "PC-KHAC", 555)
    number = _commission(roles, book)["number"]
    tax_code = _commission(roles, book)["supplier"]["tax_code"]
    auditor = Browser(app, "kiemtoan")

    def found(query):
        page = text(auditor.get(f"/expenditures?{query}"))
        assert auditor.get(f"/expenditures?{query}").status_code == 200
        return sorted(v for v in ("TU-TIM", "PC-KHAC") if f'data-voucher="{v}"' in page)

    assert found("q=tu-tim") == ["TU-TIM"]
    assert found(f"q={tax_code}") == ["TU-TIM"]
    assert found(f"q={number}") == ["TU-TIM"]
    assert found("amount=1.234.567") == ["TU-TIM"]
    assert found("amount=555") == ["PC-KHAC"]
    assert found("kind=direct") == ["PC-KHAC"]
    assert found("") == ["PC-KHAC", "TU-TIM"]
    assert found("amount=abc&page=x") == ["PC-KHAC", "TU-TIM"]
    # a unit officer sees only its unit's
    stp = Browser(app, "donvi")
    page = text(stp.get("/expenditures"))
    assert 'data-voucher="PC-KHAC"' in page and 'data-voucher="TU-TIM"' not in page


def test_access(app, roles, book):
    entry = _direct(roles, book)
    other = Browser(app, "huyen")
    assert other.get(f"/expenditures/{entry}").status_code == 404
    assert other.get(f"/deliverables/{book['accepted']}").status_code == 404
    admin = Browser(app, "quantri")
    assert admin.get(f"/expenditures/{entry}").status_code == 403
    assert admin.get("/expenditures").status_code == 403
    # the DIC cannot record on STP's allocation, nor reverse; another unit's commission reads as missing
    stp = Browser(app, "donvi")
    assert stp.submit("/expenditures", _spend(book), {"kind": "advance", "amount": "1000",
                                                      **_voucher("X-1")}).status_code == 404
    assert stp.submit(f"/expenditures/{entry}", f"/expenditures/{entry}/reverse",
                      {"reason": "Không được"}).status_code == 403
    auditor = Browser(app, "kiemtoan")
    assert auditor.get(f"/expenditures/{entry}").status_code == 200
    assert auditor.get("/expenditures/new").status_code == 403
    assert _entries(roles) == 1


# --- vouchers on every entry (issue 20 item 1) -----------------------------------------------------

def _documents(roles, entry_id):
    return [d["original_name"] for d in support.get(roles["dic"], f"/api/v1/expenditures/{entry_id}/documents")
            ["items"]]


def test_an_advance_carries_its_voucher_from_the_commission_page(app, roles, book):
    import io
    dic = Browser(app, "sotttt")
    page = text(dic.get(_page(book)))
    assert 'enctype="multipart/form-data" data-testid="advance-form"' in page and 'id="f-file-advance"' in page
    response = dic.submit(_page(book), _spend(book), {
        "kind": "advance", "amount": "2.000.000", **_voucher("TU-HĐ"),
        "file": (io.BytesIO(support.PDF_BYTES), "giay-de-nghi-tam-ung.pdf")}, content_type="multipart/form-data")
    assert response.status_code == 302, text(response)
    entry = support.get(roles["dic"], "/api/v1/expenditures?voucher_no=TU-HĐ")["items"][0]["id"]
    assert _documents(roles, entry) == ["giay-de-nghi-tam-ung.pdf"]


def test_a_refused_voucher_posts_no_entry(app, roles, book):
    import io
    dic = Browser(app, "sotttt")
    before = _entries(roles)
    response = dic.submit(_page(book), _spend(book), {
        "kind": "advance", "amount": "2.000.000", **_voucher("TU-EXE"),
        "file": (io.BytesIO(b"MZ\x90\x00"), "chuong-trinh.exe")}, content_type="multipart/form-data")
    assert response.status_code == 422 and 'data-field-error="file"' in text(response)
    assert _entries(roles) == before


def test_a_voucher_attached_later_clears_the_flag(app, roles, book):
    import io
    entry = _direct(roles, book, "PC-SAU")

    def flagged():
        flags = support.get(roles["finance"], f"/api/v1/reports/flags?fiscal_year={support.YEAR}")["items"]
        return any(f["code"] == "direct_without_document" and f["entity_id"] == entry for f in flags)
    assert flagged()
    stp = Browser(app, "donvi")
    assert 'data-testid="expenditure-upload-form"' in text(stp.get(f"/expenditures/{entry}"))
    response = stp.submit(f"/expenditures/{entry}", f"/expenditures/{entry}/documents",
                          {"file": (io.BytesIO(support.PDF_BYTES), "hoa-don.pdf")}, content_type="multipart/form-data")
    assert response.status_code == 302, text(response)
    assert "hoa-don.pdf" in text(stp.get(f"/expenditures/{entry}"))
    assert not flagged()
    finance = Browser(app, "taichinh")
    assert 'data-testid="expenditure-upload-form"' not in text(finance.get(f"/expenditures/{entry}"))
    assert finance.submit(f"/expenditures/{entry}", f"/expenditures/{entry}/documents", {}).status_code == 403
    other = Browser(app, "huyen")
    assert other.get(f"/expenditures/{entry}").status_code == 404
