"""A funding request as sent (issue 18): PHIẾU ĐỀ NGHỊ CẤP KINH PHÍ as PDF through the API and the
pages, read back as text; drafts print marked "BẢN NHÁP"."""
from tests import support
from tests.pdftext import pdf_pages, pdf_text

YEAR = support.YEAR
NAME = "Nguyễn Thị Ửng Ỷ Ẫ Ặ Ộ Ợ Ự Đ đ"
UNIT_PAGE = "quản trị viên cập nhật ở trang Đơn vị"
NO_ADDRESS = f"(chưa có địa chỉ đơn vị — {UNIT_PAGE})"
NO_HEAD = f"(chưa có họ tên thủ trưởng đơn vị — {UNIT_PAGE})"


def _pdf(client, path, status=200):
    response = client.get(path)
    assert response.status_code == status, (response.status_code, response.get_data()[:300])
    if status != 200:
        return response
    assert response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "private, no-store"
    return pdf_pages(response.get_data())


def _request(officer, **extra):
    body = {"fiscal_year": YEAR, "title": f"Tuyên truyền của {NAME}", "justification": "Theo Kế hoạch 12/KH-UBND",
            "letter_no": "45/STP-VP", "lines": [
                support.line(300_000_000, "press", description="Đặt hàng tin bài =SUM(A1)"),
                support.line(200_000_000, "training", quantity=4, description=f"Lớp tập huấn cho {NAME}")],
            **extra}
    return support.ok(officer.post("/api/v1/requests", json=body), 201)


def _submitted(officer, **extra):
    created = _request(officer, **extra)
    return support.ok(officer.post(f"/api/v1/requests/{created['id']}/submit"), 200)


def test_the_request_as_sent_holds_its_number_unit_lines_amount_in_words_and_trail(roles):
    sent = _submitted(roles["unit"])
    text = " ".join(_pdf(roles["unit"], f"/api/v1/requests/{sent['id']}/request.pdf"))
    assert "PHIẾU ĐỀ NGHỊ CẤP KINH PHÍ" in text and f"Số {sent['number']} · Năm ngân sách {YEAR}" in text
    assert "SỞ TƯ PHÁP" in text and "Số: 45/STP-VP" in text and "Kính gửi: Sở Tài chính" in text
    assert "Đơn vị đề nghị: Sở Tư pháp (mã STP)" in text and f"Nội dung đề nghị: Tuyên truyền của {NAME}" in text
    assert "Nhóm chi: Đặt hàng báo chí; Đào tạo, tập huấn" in text and "Trạng thái: Đã gửi" in text
    assert "1 Đặt hàng báo chí Đặt hàng tin bài =SUM(A1) 1 300.000.000 300.000.000" in text
    assert f"2 Đào tạo, tập huấn Lớp tập huấn cho {NAME} 4 50.000.000 200.000.000" in text
    assert "Tổng cộng 500.000.000" in text
    assert "Tổng số tiền đề nghị: 500.000.000 đồng (bằng chữ: Năm trăm triệu đồng)" in text
    assert "Sự cần thiết, căn cứ: Theo Kế hoạch 12/KH-UBND" in text
    assert "Lập đề nghị donvi" in text and "Gửi Sở Tài chính donvi" in text
    assert "NGƯỜI LẬP" in text and "THỦ TRƯỞNG ĐƠN VỊ" in text and "Donvi" in text
    assert "BẢN NHÁP" not in text
    assert NO_ADDRESS in text and NO_HEAD in text


def test_what_the_unit_lacks_is_printed_and_listed_on_the_page_until_filled_in(app, roles):
    sent = _submitted(roles["unit"], letter_no=None, justification="")
    text = " ".join(_pdf(roles["unit"], f"/api/v1/requests/{sent['id']}/request.pdf"))
    assert "Số: (chưa có số công văn đề nghị — không được ghi khi gửi: ghi tay vào bản in)" in text
    assert "(chưa có sự cần thiết, căn cứ của đề nghị — không được ghi khi gửi: ghi tay vào bản in)" in text
    page = support.text(support.Browser(app, "donvi").get(f"/requests/{sent['id']}"))
    assert 'data-testid="request-pdf-missing"' in page
    assert NO_ADDRESS.strip("()") in page and NO_HEAD.strip("()") in page
    assert f'href="/requests/{sent["id"]}/request.pdf?download=1"' in page

    support.ok(roles["admin"].patch("/api/v1/units/STP", json={"address": "15 Lê Lợi", "head_name": NAME}), 200)
    text = " ".join(_pdf(roles["unit"], f"/api/v1/requests/{sent['id']}/request.pdf"))
    assert "Địa chỉ: 15 Lê Lợi" in text and text.count(NAME) >= 3 and "địa chỉ đơn vị" not in text


def test_a_draft_prints_marked_as_a_draft_on_every_page_and_only_for_its_unit(roles):
    lines = [support.line(1_000_000, "press", description=f"Tin bài số {i}") for i in range(100)]
    draft = _request(roles["unit"], lines=lines)
    path = f"/api/v1/requests/{draft['id']}/request.pdf"
    pages = _pdf(roles["unit"], path)
    assert len(pages) > 2 and all("BẢN NHÁP" in page for page in pages)
    assert all("STT Nhóm chi Nội dung Số lượng Đơn giá (đồng) Thành tiền (đồng)" in page for page in pages[:2])
    text = " ".join(pages)
    assert "Bản nháp: đề nghị chưa gửi Sở Tài chính." in text and "Gửi Sở Tài chính: chưa gửi" in text
    assert "Tin bài số 99" in text and "Tổng cộng 100.000.000" in text
    for reader in ("finance", "auditor", "other_unit", "dic"):  # a draft is the unit's own working paper
        assert _pdf(roles[reader], path, 404).get_json()["error"] == "not_found"
    assert _pdf(roles["anonymous"], path, 401).get_json()["error"] == "unauthenticated"
    assert _pdf(roles["admin"], path, 403).get_json()["error"] == "forbidden"


def test_a_returned_request_is_a_draft_again_and_its_trail_says_why(roles):
    sent = _submitted(roles["unit"])
    support.ok(roles["finance"].post(f"/api/v1/requests/{sent['id']}/return",
                                     json={"reason": "Bổ sung thuyết minh chi tiết"}), 200)
    text = " ".join(_pdf(roles["finance"], f"/api/v1/requests/{sent['id']}/request.pdf"))
    assert "BẢN NHÁP" in text and "đã trả lại đề nghị" in text and "chưa gửi lại" in text
    assert "Trả lại để chỉnh sửa taichinh Bổ sung thuyết minh chi tiết" in text


def test_finance_and_auditors_read_a_sent_request_another_unit_hears_404(roles):
    sent = _submitted(roles["unit"])
    path = f"/api/v1/requests/{sent['id']}/request.pdf"
    for reader in ("unit", "finance", "auditor"):
        assert sent["number"] in " ".join(_pdf(roles[reader], path))
    for stranger in ("other_unit", "dic"):
        assert _pdf(roles[stranger], path, 404).get_json()["error"] == "not_found"
    assert _pdf(roles["unit"], "/api/v1/requests/999999/request.pdf", 404).get_json()["error"] == "not_found"


def test_huge_amounts_print_whole(roles):
    sent = _submitted(roles["unit"], lines=[support.line(999_999_999_999_999, "press", description="Tổng hợp")])
    text = " ".join(_pdf(roles["unit"], f"/api/v1/requests/{sent['id']}/request.pdf"))
    assert "1 Đặt hàng báo chí Tổng hợp 1 999.999.999.999.999 999.999.999.999.999" in text
    assert "Tổng cộng 999.999.999.999.999" in text
    assert "(bằng chữ: Chín trăm chín mươi chín nghìn tỷ chín trăm chín mươi chín tỷ" in text


def test_the_page_serves_the_same_form_inline_or_saved(app, roles):
    sent = _submitted(roles["unit"])
    browser = support.Browser(app, "donvi")
    shown = browser.get(f"/requests/{sent['id']}/request.pdf")
    saved = browser.get(f"/requests/{sent['id']}/request.pdf?download=1")
    name = f"de-nghi-cap-kinh-phi-{sent['number']}.pdf"
    assert shown.headers["Content-Disposition"] == f"inline; filename={name}"
    assert saved.headers["Content-Disposition"] == f"attachment; filename={name}"
    assert "Năm trăm triệu đồng" in pdf_text(saved.get_data())
    page = support.text(browser.get(f"/requests/{sent['id']}"))
    assert 'data-testid="request-pdf"' in page and f'href="/requests/{sent["id"]}/request.pdf"' in page
    assert support.Browser(app, "huyen").get(f"/requests/{sent['id']}/request.pdf").status_code == 404
    anonymous = app.test_client().get(f"/requests/{sent['id']}/request.pdf")
    assert anonymous.status_code == 302 and anonymous.headers["Location"].startswith("/login")
