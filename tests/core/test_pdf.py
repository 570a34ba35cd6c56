"""The PDF kernel (app/core/pdf.py): Vietnamese text read back exactly, what is missing printed in its
place, huge amounts, text that looks like a formula, a table longer than a page with its header on
every page, and the HTTP answer."""
import time
import unicodedata

import pytest

from app.core.amount_words import amount_in_words
from app.core.pdf import Column, FormPdf, Missing, Signature, pdf_response, safe_filename, vnd
from tests.pdftext import pdf_pages, pdf_text

NAME = "Nguyễn Thị Ửng Ỷ Ẫ Ặ Ộ Ợ Ự Đ đ"
HUGE = 999_999_999_999_999


def _full_form() -> bytes:
    doc = FormPdf(title="Thử", footer_note="Biên bản thử")
    doc.form_header(form_no="13", symbol="C2-02a/NS", doc_no="ĐN-2026-0001", budget_year=2026)
    doc.national_motto(left_lines=("SỞ TÀI CHÍNH",), doc_no=Missing("số biên bản", "đơn vị ghi khi nghiệm thu"),
                       place_date="ngày 02 tháng 12 năm 2026")
    doc.doc_title("BIÊN BẢN NGHIỆM THU", subtitle="Sản phẩm truyền thông")
    doc.ticks([("Tạm ứng", True), ("Thanh toán", False)])
    address = Missing("địa chỉ đơn vị", "quản trị viên cập nhật ở trang Đơn vị")
    doc.fields([("Người nhận", NAME), ("Địa chỉ", "", address),
                ("Ghi chú", "=SUM(A1)"), ("Số tài khoản", None)], columns=2)
    doc.field("Số tiền", HUGE)
    doc.paragraph(f"Bằng chữ: {amount_in_words(HUGE)}", italic=True)
    doc.table([Column("Sản phẩm", 120), Column("Giá trị (đồng)", 60, "R")],
              [(NAME, HUGE), ("=SUM(A1)+1", 1), ("Tài khoản", Missing("số tài khoản", "Sở Tài chính"))],
              total=("Cộng", HUGE + 1))
    doc.signatures([Signature("ĐẠI DIỆN BÊN A", name=NAME),
                    Signature("ĐẠI DIỆN BÊN B", name=Missing("họ tên người đại diện", "bên B ghi tay"))])
    return doc.render()


def test_every_vietnamese_mark_reads_back_exactly():
    text = pdf_text(_full_form())
    assert f"Người nhận: {NAME}" in text
    assert text.count(NAME) == 3  # the field, the table, the signature
    assert unicodedata.is_normalized("NFC", NAME) and "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Độc lập - Tự do - Hạnh phúc" in text and "BIÊN BẢN NGHIỆM THU" in text


def test_text_given_decomposed_is_printed_composed():
    doc = FormPdf()
    doc.paragraph(unicodedata.normalize("NFD", NAME))
    assert NAME in pdf_text(doc.render())


def test_what_is_missing_is_printed_in_its_place_never_a_blank():
    text = pdf_text(_full_form())
    assert "Địa chỉ: (chưa có địa chỉ đơn vị — quản trị viên cập nhật ở trang Đơn vị)" in text
    assert "Số: (chưa có số biên bản — đơn vị ghi khi nghiệm thu)" in text
    assert "Số tài khoản: (chưa có)" in text  # blank without a Missing: still said
    assert "(chưa có số tài khoản — Sở Tài chính)" in text
    assert "ĐẠI DIỆN BÊN B (Ký, ghi họ tên) (chưa có họ tên người đại diện — bên B ghi tay)" in text
    assert Missing("địa chỉ", "ai đó").text == "chưa có địa chỉ — ai đó"


def test_huge_amounts_formulas_and_the_header_lines():
    text = pdf_text(_full_form())
    assert "Số tiền: 999.999.999.999.999" in text
    assert "Cộng 1.000.000.000.000.000" in text
    assert "Chín trăm chín mươi chín nghìn tỷ" in text
    assert "Ghi chú: =SUM(A1)" in text and "=SUM(A1)+1" in text
    assert "Mẫu số 13" in text and "Ký hiệu: C2-02a/NS" in text and "Số: ĐN-2026-0001" in text
    assert "Năm ngân sách: 2026" in text and "Trang 1/1" in text and "Biên bản thử" in text
    assert vnd(100_000_000) == "100.000.000" and vnd(0) == "0"


def test_a_thousand_rows_run_over_pages_each_with_the_header():
    doc = FormPdf()
    doc.doc_title("DANH SÁCH")
    started = time.perf_counter()
    doc.table([Column("STT", 15, "C"), Column("Sản phẩm", 115), Column("Giá trị (đồng)", 50, "R")],
              [(str(i), f"Sản phẩm {i} của {NAME}", i * 1_000_000) for i in range(1, 1001)],
              total=("", "Cộng", sum(i * 1_000_000 for i in range(1, 1001))))
    data = doc.render()
    elapsed = time.perf_counter() - started
    pages = pdf_pages(data)
    assert len(pages) > 20
    for number, page in enumerate(pages, start=1):
        assert "STT Sản phẩm Giá trị (đồng)" in page
        assert f"Trang {number}/{len(pages)}" in page
    text = " ".join(pages)
    for i in (1, 500, 1000):
        assert f"{i} Sản phẩm {i} của {NAME} {vnd(i * 1_000_000)}" in text
    assert "Cộng 500.500.000.000" in pages[-1]
    print(f"1,000-row table: {len(pages)} pages in {elapsed:.2f} s")
    assert elapsed < 30


def test_long_cells_wrap_inside_their_column():
    doc = FormPdf()
    long_title = " ".join(["Tuyên truyền chính sách"] * 30)
    doc.table([Column("Sản phẩm", 60), Column("Giá trị", 30, "R")], [(long_title, 1)])
    text = pdf_text(doc.render())
    assert text.count("Tuyên truyền chính sách") == 30


def test_a_long_list_of_fields_and_signatures_stay_on_the_pages():
    doc = FormPdf()
    doc.fields([(f"Mục {i}", f"Giá trị {i} {NAME}") for i in range(200)], columns=2)
    doc.signatures([Signature("A"), Signature("B"), Signature("C")])
    pages = pdf_pages(doc.render())
    assert len(pages) > 3
    assert all(f"Mục {i}: Giá trị {i} {NAME}" in " ".join(pages) for i in range(200))


def test_a_table_wider_than_the_page_or_a_short_row_is_refused():
    doc = FormPdf()
    with pytest.raises(ValueError):
        doc.table([Column("A", 100), Column("B", 100)], [])
    with pytest.raises(ValueError):
        doc.table([Column("A", 50), Column("B", 50)], [("only one",)])


def test_the_page_number_placeholder_is_not_a_text_records_may_hold():
    doc = FormPdf()
    doc.paragraph("Tiêu đề {nb} giữ nguyên")
    assert "Tiêu đề {nb} giữ nguyên" in pdf_text(doc.render())


def test_the_draft_watermark_is_on_every_page():
    doc = FormPdf(watermark="BẢN NHÁP")
    doc.table([Column("STT", 20)], [(str(i),) for i in range(200)])
    pages = pdf_pages(doc.render())
    assert len(pages) > 1 and all("BẢN NHÁP" in page for page in pages)


def test_the_http_answer_is_a_private_pdf_shown_or_saved(app):
    with app.test_request_context():
        shown = pdf_response(b"%PDF-1.7 x", "Biên bản NT/2026 số 1")
        saved = pdf_response(b"%PDF-1.7 x", "bien-ban.pdf", download=True)
    assert shown.mimetype == "application/pdf" and shown.get_data() == b"%PDF-1.7 x"
    assert shown.headers["Content-Disposition"] == "inline; filename=Bien-ban-NT-2026-so-1.pdf"
    assert saved.headers["Content-Disposition"] == "attachment; filename=bien-ban.pdf"
    assert shown.headers["Cache-Control"] == "private, no-store"
    assert safe_filename("Đề nghị ĐN-2026-0001") == "De-nghi-DN-2026-0001"


def test_a_figure_too_wide_for_its_column_prints_smaller_never_cut():
    doc = FormPdf()
    doc.table([Column("Sản phẩm", 40), Column("Giá trị", 22, "R")], [("Bài", HUGE), ("Bài", 5)],
              total=("Cộng", HUGE + 5))
    text = pdf_text(doc.render())
    assert "Bài 999.999.999.999.999" in text and "Bài 5" in text and "Cộng 1.000.000.000.000.004" in text
