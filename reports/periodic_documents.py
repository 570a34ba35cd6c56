"""The DIC's periodic report as a workbook (xlsxwriter, the ledger workbook's house style: typed
writes, string conversions off, user text that looks like a formula neutralised) and as a PDF (the
kernel's FormPdf), both in Vietnamese, from the figures of `reports.periodic.periodic`."""
import io

import xlsxwriter

from app.core.pdf import Column, FormPdf, Signature
from app.core.text import neutralise_formula
from reports.workbook import WORKBOOK_OPTIONS

UNIT_HEADERS = ("Mã đơn vị", "Đơn vị", "Đầu mối", "Điện thoại", "Thư điện tử", "Số đề nghị", "Số tiền đề nghị",
                "Số phân bổ", "Số tiền phân bổ", "Số hợp đồng ký", "Giá trị hợp đồng", "Sản phẩm nghiệm thu",
                "Giá trị nghiệm thu", "Lớp, hội thảo", "Người được bồi dưỡng", "Đã chi")
UNIT_FIGURES = ("requests", "requested", "allocations", "allocated", "commissions", "commissioned", "deliverables",
                "accepted_value", "courses", "people_trained", "spent")
MONEY_FIGURES = {"requested", "allocated", "commissioned", "accepted_value", "spent"}
NOTE = ("Kinh phí của năm ngân sách, tính theo ngày trong kỳ: đề nghị theo ngày gửi, phân bổ theo ngày quyết định, "
        "đặt hàng theo ngày ký hợp đồng, sản phẩm theo ngày nghiệm thu, đã chi theo ngày chi. Người được bồi dưỡng: "
        "số lượng đã nghiệm thu của các sản phẩm loại lớp bồi dưỡng, tập huấn và hội thảo.")


def _text(value) -> str:
    return neutralise_formula(str(value or ""))


def period_phrase(report) -> str:
    """"quý II năm 2026", "6 tháng đầu năm 2026", "năm 2026"."""
    p, year = report["period"], report["fiscal_year"]
    if p["code"] == "year":
        return f"năm {year}"
    return f"{p['label'][:1].lower()}{p['label'][1:]} năm {year}"


def title_of(report) -> str:
    return f"Báo cáo định kỳ về thông tin, truyền thông chính sách {period_phrase(report)}"


def span_of(report) -> str:
    p = report["period"]
    span = f"Từ {p['start']:%d/%m/%Y} đến {p['end']:%d/%m/%Y}"
    return span + (f" (kỳ chưa kết thúc: số liệu đến hôm nay, {p['until']:%d/%m/%Y})" if p["until_today"] else "")


def file_name(report, extension: str) -> str:
    return f"bao-cao-dinh-ky-{report['fiscal_year']}-{report['period']['code']}.{extension}"


def workbook(report, scope_name: str) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {**WORKBOOK_OPTIONS, "constant_memory": False, "in_memory": True})
    bold = book.add_format({"bold": True, "font_size": 14})
    note = book.add_format({"italic": True, "font_color": "#555555"})
    header = book.add_format({"bold": True, "bg_color": "#DCE6F1", "border": 1, "text_wrap": True, "valign": "top"})
    money = book.add_format({"num_format": "#,##0"})
    total_label = book.add_format({"bold": True, "top": 1})
    total_money = book.add_format({"bold": True, "top": 1, "num_format": "#,##0"})

    sheet = book.add_worksheet("Theo đơn vị")
    sheet.write_string(0, 0, title_of(report), bold)
    sheet.write_string(1, 0, f"{_text(scope_name)} · {span_of(report)}")
    sheet.write_string(2, 0, NOTE, note)
    for col, text in enumerate(UNIT_HEADERS):
        sheet.write_string(4, col, text, header)
    sheet.set_column(0, 0, 11)
    sheet.set_column(1, 4, 26)
    sheet.set_column(5, len(UNIT_HEADERS) - 1, 15)
    row = 5
    for item in report["units"]:
        contact = item["contact"]
        for col, value in enumerate((item["unit"]["code"], item["unit"]["name"], contact["name"], contact["phone"],
                                     contact["email"])):
            sheet.write_string(row, col, _text(value))
        for col, name in enumerate(UNIT_FIGURES, start=5):
            sheet.write_number(row, col, item[name], money if name in MONEY_FIGURES else None)
        row += 1
    sheet.write_string(row, 0, "Cộng", total_label)
    for col in range(1, 5):
        sheet.write_blank(row, col, None, total_label)
    for col, name in enumerate(UNIT_FIGURES, start=5):
        sheet.write_number(row, col, report["totals"][name], total_money if name in MONEY_FIGURES else total_label)

    for name, key, headers in (("Theo loại sản phẩm", "kinds", ("Loại sản phẩm", "Sản phẩm", "Số lượng nghiệm thu",
                                                               "Giá trị nghiệm thu")),
                               ("Theo chủ đề", "topics", ("Chủ đề", "Sản phẩm", "Giá trị nghiệm thu"))):
        other = book.add_worksheet(name)
        other.write_string(0, 0, title_of(report), bold)
        other.write_string(1, 0, span_of(report))
        other.set_column(0, 0, 40)
        other.set_column(1, len(headers) - 1, 18)
        for col, text in enumerate(headers):
            other.write_string(3, col, text, header)
        for line, entry in enumerate(report["totals"][key], start=4):
            other.write_string(line, 0, _text(entry["name"]))
            other.write_number(line, 1, entry["deliverables"])
            if key == "kinds":
                other.write_number(line, 2, entry["accepted_quantity"])
            other.write_number(line, len(headers) - 1, entry["accepted_value"], money)
    book.close()
    return out.getvalue()


def pdf(report, scope_name: str) -> bytes:
    doc = FormPdf(title=title_of(report))
    doc.national_motto(left_lines=("UBND TỈNH GIA LAI", "SỞ VĂN HÓA, THỂ THAO VÀ DU LỊCH"), doc_no="…/BC-SVHTTDL")
    doc.doc_title("BÁO CÁO", subtitle=f"Kết quả thông tin, truyền thông chính sách {period_phrase(report)}")
    doc.paragraph(f"Kính gửi: Ủy ban nhân dân tỉnh; Bộ Văn hóa, Thể thao và Du lịch. Phạm vi: {scope_name}. "
                  f"{span_of(report)}.")
    doc.paragraph(NOTE, italic=True)
    doc.heading("1. Theo đơn vị (số tiền: đồng)")
    columns = [Column("Đơn vị, đầu mối", 44), Column("Đề nghị", 22, "R"), Column("Phân bổ", 24, "R"),
               Column("Hợp đồng ký", 24, "R"), Column("Nghiệm thu", 24, "R"), Column("Lớp / người", 18, "R"),
               Column("Đã chi", 24, "R")]

    def cells(item, name_cell):
        return [name_cell, f"{item['requests']}: {item['requested']:,}".replace(",", "."),
                f"{item['allocations']}: {item['allocated']:,}".replace(",", "."),
                f"{item['commissions']}: {item['commissioned']:,}".replace(",", "."),
                f"{item['deliverables']}: {item['accepted_value']:,}".replace(",", "."),
                f"{item['courses']} / {item['people_trained']}", item["spent"]]
    rows = []
    for item in report["units"]:
        contact = item["contact"]
        who = " · ".join(v for v in (contact["name"], contact["phone"]) if v) or "chưa có đầu mối"
        rows.append(cells(item, f"{item['unit']['name']}\n{who}"))
    if not rows:
        rows.append(["Không có số liệu trong kỳ", "", "", "", "", "", ""])
    doc.table(columns, rows, total=cells(report["totals"], "Cộng"), size=8)
    doc.heading("2. Sản phẩm nghiệm thu theo loại")
    doc.table([Column("Loại sản phẩm", 90), Column("Sản phẩm", 25, "R"), Column("Số lượng", 25, "R"),
               Column("Giá trị (đồng)", 40, "R")],
              [[k["name"], k["deliverables"], k["accepted_quantity"], k["accepted_value"]]
               for k in report["totals"]["kinds"]] or [["Chưa có", "", "", ""]])
    doc.heading("3. Sản phẩm nghiệm thu theo chủ đề")
    doc.table([Column("Chủ đề", 115), Column("Sản phẩm", 25, "R"), Column("Giá trị (đồng)", 40, "R")],
              [[t["name"], t["deliverables"], t["accepted_value"]] for t in report["totals"]["topics"]]
              or [["Chưa có", "", ""]])
    doc.signatures([Signature("NGƯỜI LẬP BÁO CÁO"), Signature("GIÁM ĐỐC SỞ", note="(Ký, ghi họ tên, đóng dấu)")])
    return doc.render()
