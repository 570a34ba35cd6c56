"""The ledger workbook and CSV, read back as an auditor would open them (openpyxl, csv)."""
import csv
import io
from datetime import date, datetime

import openpyxl
import pytest

from tests import support
from tests.reports.builders import HOSTILE, YEAR

SHEET_NAMES = ["Tổng hợp", "Sổ chi", "Đặt hàng", "Sản phẩm", "Điều chỉnh dự toán", "Mẫu 31", "Cảnh báo", "Nhật ký"]
LEDGER = f"/api/v1/reports/ledger.xlsx?fiscal_year={YEAR}"
CSV = f"/api/v1/reports/ledger.csv?fiscal_year={YEAR}"


def workbook(client, path=LEDGER):
    response = client.get(path)
    assert response.status_code == 200, response.get_data()[:300]
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return openpyxl.load_workbook(io.BytesIO(response.get_data()))


def table(sheet):
    """(headers, data rows without the totals row, the totals row or None)."""
    rows = list(sheet.iter_rows(values_only=True))
    headers, body = rows[0], rows[1:]
    if body and body[-1][0] in ("Tổng cộng", "Total"):
        return headers, body[:-1], body[-1]
    return headers, body, None


def column(headers, rows, name):
    index = headers.index(name)
    return [row[index] for row in rows]


def read_csv(client, path=CSV):
    response = client.get(path)
    assert response.status_code == 200, response.get_data()[:300]
    raw = response.get_data()
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[-1][0] in (f"Tổng cộng: {len(rows) - 2} dòng", f"Total: {len(rows) - 2} rows"), rows[-1]
    return rows[0], rows[1:-1]


# --- the workbook ----------------------------------------------------------------------------------

def test_the_workbook_holds_every_sheet_and_its_ledger_totals_the_spending(spending, roles):
    book = workbook(roles["auditor"])
    assert book.sheetnames == SHEET_NAMES
    headers, rows, totals = table(book["Sổ chi"])
    amounts = column(headers, rows, "Số tiền (đồng)")
    assert all(isinstance(amount, int) for amount in amounts)
    # the posted spending, with the reversed payment and its reversal netting to nothing
    assert sum(amounts) == spending.total_spent == 25_000_000
    assert sorted(amounts) == sorted([5_000_000, 15_000_000, 10_000_000, -10_000_000, 3_000_000, 2_000_000])
    assert totals[headers.index("Số tiền (đồng)")].startswith("=SUBTOTAL(9,E2:E7)")
    assert totals[:2] == ("Tổng cộng", "6 dòng")  # the rows written, so a reader sees the sheet is whole


def test_the_ledger_row_carries_the_whole_trail(spending, roles, budget):
    book = workbook(roles["auditor"])
    headers, rows, _ = table(book["Sổ chi"])
    payment = next(row for row in rows if row[0] == spending.payment["number"])
    record = dict(zip(headers, payment))
    assert record["Loại chi"] == "Thanh toán"
    assert record["Số chứng từ"] == "TT-01/2026"
    assert record["Tạm ứng được trừ (đồng)"] == 5_000_000
    assert record["Mã đơn vị"] == "SVHTTDL"
    assert record["Số đặt hàng"] == spending.press["number"]
    assert record["Số hợp đồng"] == "05/2026/HĐ-ĐH"
    assert record["Nhà cung cấp"] == "Nhà cung cấp press"
    assert record["Quyết định giao dự toán"] and record["Quyết định phân bổ"]
    assert record["Nguồn kinh phí"]
    first, second = spending.press["deliverables"]
    assert record["Biên bản nghiệm thu"] == f"BB-NT-{first['id']}; BB-NT-{second['id']}"
    assert record["Sản phẩm được thanh toán"] == f"{first['title']}: 10.000.000; {second['title']}: 10.000.000"
    assert isinstance(record["Ngày chi"], datetime) and record["Ngày chi"].date() == date(YEAR, 6, 1)

    reversal = dict(zip(headers, next(row for row in rows if row[0] == spending.reversal["number"])))
    original = dict(zip(headers, next(row for row in rows if row[0] == spending.reversed_payment["number"])))
    assert reversal["Trạng thái"] == "Bút toán đảo" and reversal["Đảo của khoản chi"] == original["Số khoản chi"]
    assert original["Trạng thái"] == "Đã bị đảo" and original["Bị đảo bởi khoản chi"] == reversal["Số khoản chi"]


def test_user_text_is_stored_as_text_never_as_a_formula(spending, roles):
    book = workbook(roles["auditor"])
    sheet = book["Sổ chi"]
    headers = [cell.value for cell in sheet[1]]
    direct_row = next(row for row in sheet.iter_rows(min_row=2) if row[0].value == spending.direct["number"])
    description = direct_row[headers.index("Nội dung")]
    assert description.value == HOSTILE and description.data_type == "s"
    assert direct_row[headers.index("Người nhận")].value == "@Nhà in"
    assert direct_row[headers.index("Số chứng từ")].data_type == "s"
    assert not any(cell.hyperlink for row in sheet.iter_rows() for cell in row)


def test_the_summary_equals_the_execution_report(spending, roles):
    report = support.get(roles["finance"], f"/api/v1/reports/execution?fiscal_year={YEAR}&by=unit")
    sheet = workbook(roles["finance"])["Tổng hợp"]
    rows = list(sheet.iter_rows(values_only=True))
    start = next(i for i, row in enumerate(rows) if row[0] == "Mã đơn vị") + 1
    headers = {"allocated": "Được phân bổ (đồng)", "transferred": "Điều chỉnh dự toán (đồng)",
               "committed": "Đã cam kết (đồng)", "spent": "Đã chi (đồng)", "available": "Còn lại (đồng)"}
    at = {field: rows[start - 1].index(header) for field, header in headers.items()}
    by_unit = {}
    for row in rows[start:]:
        if not row[0]:
            break
        by_unit[row[0]] = {field: row[index] for field, index in at.items()}
    assert by_unit == {item["key"]: {k: item[k] for k in headers} for item in report["items"]}
    assert sheet._charts == [] or True  # openpyxl drops charts it reads; the chart is checked below


def test_the_summary_has_a_native_chart_and_a_pivot(spending, roles):
    import zipfile
    raw = roles["finance"].get(LEDGER).get_data()
    names = zipfile.ZipFile(io.BytesIO(raw)).namelist()
    assert "xl/charts/chart1.xml" in names
    rows = list(workbook(roles["finance"])["Tổng hợp"].iter_rows(values_only=True))
    pivot = next(i for i, row in enumerate(rows) if row[0] == "Đã chi theo đơn vị và lĩnh vực (đồng)")
    header = rows[pivot + 1]
    body = {row[0]: row for row in rows[pivot + 2:] if row[0]}
    assert body["ANNHON"][header.index("Đào tạo, tập huấn")] == 2_000_000
    assert body["STP"][header.index("Hoạt động thường xuyên")] == 3_000_000
    assert body["SVHTTDL"][header.index("Tổng cộng")] == 20_000_000


def test_commissions_deliverables_and_trail_sheets(spending, roles):
    book = workbook(roles["auditor"])
    headers, rows, totals = table(book["Đặt hàng"])
    numbers = column(headers, rows, "Số đặt hàng")
    assert {spending.press["number"], spending.training["number"], spending.proposed["number"]} == set(numbers)
    paid = dict(zip(numbers, column(headers, rows, "Đã thanh toán (đồng)")))
    assert paid[spending.press["number"]] == 20_000_000 and paid[spending.training["number"]] == 0
    headers, rows, _ = table(book["Sản phẩm"])
    accepted = [row for row in rows if row[headers.index("Trạng thái")] == "Đã nghiệm thu"]
    assert len(accepted) == 3
    assert all(isinstance(row[headers.index("Ngày nghiệm thu")], datetime) for row in accepted)
    headers, rows, _ = table(book["Nhật ký"])
    actions = column(headers, rows, "Thao tác")
    assert "Đảo khoản chi" in actions or any("đảo" in str(a).lower() for a in actions)
    assert column(headers, rows, "STT nhật ký") == sorted(column(headers, rows, "STT nhật ký"))


def test_english_headers_on_request(spending, roles):
    book = workbook(roles["auditor"], LEDGER + "&lang=en")
    assert book.sheetnames == ["Summary", "Expenditure ledger", "Commissions", "Deliverables", "Budget transfers",
                               "Year-end (Form 31)", "Flags", "Audit trail"]
    headers, rows, totals = table(book["Expenditure ledger"])
    assert "Amount (VND)" in headers and totals[0] == "Total"
    assert "Payment" in column(headers, rows, "Kind")


def test_a_unit_officers_export_holds_its_unit_only(spending, roles):
    book = workbook(roles["unit"])
    headers, rows, _ = table(book["Sổ chi"])
    assert set(column(headers, rows, "Mã đơn vị")) == {"STP"}
    assert sum(column(headers, rows, "Số tiền (đồng)")) == 3_000_000
    headers, rows, _ = table(book["Đặt hàng"])
    assert set(column(headers, rows, "Mã đơn vị")) == {"STP"}
    headers, rows, _ = table(book["Sản phẩm"])
    assert set(column(headers, rows, "Mã đơn vị")) == {"STP"}
    summary = [row[0] for row in book["Tổng hợp"].iter_rows(values_only=True)]
    assert "SVHTTDL" not in summary and "ANNHON" not in summary
    headers, rows, _ = table(book["Nhật ký"])
    assert set(column(headers, rows, "Người thực hiện")) <= {"donvi"}
    # naming another unit reads as an unknown unit, never as its data
    response = roles["unit"].get(LEDGER + "&unit=ANNHON")
    assert response.status_code == 422 and "unit" in response.get_json()["details"]


def test_finance_may_limit_the_export_to_a_unit_and_a_period(spending, roles):
    headers, rows, _ = table(workbook(roles["finance"], LEDGER + "&unit=SVHTTDL")["Sổ chi"])
    assert set(column(headers, rows, "Mã đơn vị")) == {"SVHTTDL"}
    headers, rows, _ = table(workbook(roles["finance"], LEDGER + f"&date_from={YEAR}-07-01")["Sổ chi"])
    # only the reversal is dated after June (it is dated the day it was made)
    assert column(headers, rows, "Trạng thái") == ["Bút toán đảo"] or date.today() < date(YEAR, 7, 1)


@pytest.mark.parametrize("query", ["fiscal_year=1999", "fiscal_year=abc", "unit=NOPE", "lang=fr",
                                   "date_from=2026-13-01", f"date_from={YEAR}-05-01&date_to={YEAR}-04-01",
                                   "fiscal_year=" + "9" * 5000, "date_from=0001-01-01", "date_to=9999-12-31",
                                   "date_from=1999-12-31", "date_to=2101-01-01"])
@pytest.mark.parametrize("path", ["/api/v1/reports/ledger.xlsx", "/api/v1/reports/ledger.csv"])
def test_bad_arguments_are_refused_with_the_field(roles, path, query):
    response = roles["finance"].get(f"{path}?{query}")
    assert response.status_code in (400, 422), response.get_data()[:200]
    if response.status_code == 422:
        assert response.get_json()["details"]


@pytest.mark.parametrize("query", ["date_from=2000-01-01&date_to=2100-12-31", "date_to=2100-12-31",
                                   "fiscal_year=2100&date_from=2100-12-31"])
@pytest.mark.parametrize("path", ["/api/v1/reports/ledger.xlsx", "/api/v1/reports/ledger.csv"])
def test_extreme_but_valid_periods_are_answered(spending, roles, path, query):
    assert roles["auditor"].get(f"{path}?{query}").status_code == 200


@pytest.mark.parametrize("path", [LEDGER, CSV])
def test_who_may_export(roles, path):
    assert roles["anonymous"].get(path).status_code == 401
    assert roles["admin"].get(path).status_code == 403
    for reader in ("finance", "auditor", "unit", "dic"):
        assert roles[reader].get(path).status_code == 200


def test_an_empty_year_gives_a_workbook_with_headers_only(roles):
    book = workbook(roles["auditor"], "/api/v1/reports/ledger.xlsx?fiscal_year=2030")
    assert book.sheetnames == SHEET_NAMES
    headers, rows, _ = table(book["Sổ chi"])
    assert headers[0] == "Số khoản chi" and rows == []


# --- CSV -------------------------------------------------------------------------------------------

def test_the_csv_totals_the_spending_and_neutralises_formulas(spending, roles):
    headers, rows = read_csv(roles["auditor"])
    assert tuple(headers) == table(workbook(roles["auditor"])["Sổ chi"])[0]
    amounts = [int(value) for value in column(headers, rows, "Số tiền (đồng)")]
    assert sum(amounts) == spending.total_spent
    direct = dict(zip(headers, next(row for row in rows if row[0] == spending.direct["number"])))
    assert direct["Nội dung"] == "'" + HOSTILE
    assert direct["Người nhận"] == "'@Nhà in" and direct["Số chứng từ"] == "'+CT-03"
    assert direct["Ngày chi"] == f"{YEAR}-06-01"
    reversal = dict(zip(headers, next(row for row in rows if row[0] == spending.reversal["number"])))
    assert reversal["Số tiền (đồng)"] == "-10000000"  # a number, not neutralised


def test_the_csv_ends_with_its_row_count_and_totals(spending, roles):
    response = roles["auditor"].get(CSV)
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    headers, body, last = rows[0], rows[1:-1], rows[-1]
    assert last[0] == f"Tổng cộng: {len(body)} dòng" == "Tổng cộng: 6 dòng"
    amount = headers.index("Số tiền (đồng)")
    assert int(last[amount]) == sum(int(row[amount]) for row in body) == spending.total_spent
    applied = headers.index("Tạm ứng được trừ (đồng)")
    assert int(last[applied]) == sum(int(row[applied] or 0) for row in body)
    english = roles["auditor"].get(CSV + "&lang=en").get_data().decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(english)))[-1][0] == "Total: 6 rows"


def test_a_unit_officers_csv_holds_its_unit_only(spending, roles):
    headers, rows = read_csv(roles["dic"])
    assert set(column(headers, rows, "Mã đơn vị")) == {"SVHTTDL"}
    assert sum(int(v) for v in column(headers, rows, "Số tiền (đồng)")) == 20_000_000


def test_the_csv_streams_in_batches(spending, roles, app, monkeypatch):
    from reports import csv_export
    monkeypatch.setattr(csv_export, "BATCH", 2)
    response = roles["finance"].get(CSV)
    assert response.is_streamed
    pieces = list(response.response)
    assert len(pieces) >= 3
    assert b"".join(pieces).decode("utf-8-sig").count("\r\n") == 8  # header + 6 entries + the totals


# --- fixed statement counts --------------------------------------------------------------------

def _statements(app, client, path):
    with support.CountedStatements(app) as statements:
        response = client.get(path)
        body = response.get_data()  # a streamed answer runs its queries while it is read
    assert response.status_code == 200, body[:300]
    return len(statements)


@pytest.mark.parametrize("path", [LEDGER, CSV, f"/api/v1/reports/execution?fiscal_year={YEAR}"])
def test_exports_run_a_fixed_number_of_statements_whatever_the_row_count(app, roles, budget, path):
    from tests.reports.builders import entry, spend
    operations = budget.allocation("unit", "operations")
    spend(roles["unit"], entry(operations, None, "direct", 1_000, "ONE"))
    few = _statements(app, roles["finance"], path)
    for index in range(12):
        spend(roles["unit"], entry(operations, None, "direct", 1_000 + index, f"MORE-{index}"))
    assert _statements(app, roles["finance"], path) == few


# --- the command line --------------------------------------------------------------------------

def test_the_cli_writes_the_workbook_with_its_row_count(app, spending, tmp_path):
    target = tmp_path / "so-chi.xlsx"
    result = app.test_cli_runner().invoke(args=["reports", "ledger", "--fiscal-year", str(YEAR), "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert "6 khoản chi" in result.output
    book = openpyxl.load_workbook(target)
    headers, rows, _ = table(book["Sổ chi"])
    assert sum(column(headers, rows, "Số tiền (đồng)")) == spending.total_spent
    result = app.test_cli_runner().invoke(args=["reports", "ledger", "--fiscal-year", str(YEAR), "-o",
                                                str(tmp_path / "x.xlsx"), "--unit", "NOPE"])
    assert result.exit_code == 2 and "NOPE" in result.output


def test_the_flags_sheet_lists_the_flags_the_api_gives(spending, roles):
    flags = support.get(roles["auditor"], f"/api/v1/reports/flags?fiscal_year={YEAR}")["items"]
    headers, rows, _ = table(workbook(roles["auditor"])["Cảnh báo"])
    assert len(rows) == len(flags) > 0
    assert column(headers, rows, "Số hiệu") == [flag["reference"] for flag in flags]
    undocumented = [row for row in rows if spending.direct["number"] in row[headers.index("Số hiệu")]]
    assert undocumented and undocumented[0][headers.index("Mức độ")] == "Cao"


def test_every_sheet_is_read_from_one_snapshot(app, spending, monkeypatch, tmp_path):
    """The summary must agree with the ledger even while payments are posted during the export:
    on PostgreSQL the export's transaction is REPEATABLE READ (SQLite's read transaction is one
    snapshot by itself). A payment committed by another connection halfway is not in the file."""
    import sqlalchemy as sa
    from flask_babel import force_locale

    from app.extensions import db
    from reports import ledger_rows, workbook
    from reports.filters import LedgerFilter

    original = ledger_rows.ledger_rows
    levels = []

    def ledger_then_a_concurrent_change(selection, execute=None):
        if db.engine.dialect.name == "postgresql":
            levels.append(db.session.connection().get_isolation_level())
        with db.engine.connect() as other:  # what another request commits meanwhile
            other.execute(sa.text("UPDATE allocations SET spent = spent + 1 WHERE id = :id"),
                          {"id": spending.budget.allocation("unit", "operations")})
            other.commit()
        yield from original(selection, execute)

    monkeypatch.setattr(workbook, "ledger_rows", ledger_then_a_concurrent_change)
    target = tmp_path / "book.xlsx"
    with app.test_request_context("/"), force_locale("vi"):
        db.session.execute(sa.text("SELECT 1"))  # the request has read before the export begins
        workbook.write_workbook(str(target), None, LedgerFilter(fiscal_year=YEAR))
        db.session.rollback()
    book = openpyxl.load_workbook(target)
    # the flags sheet is read after the change was committed, and still sees the spending of the
    # snapshot: STP's operations allocation (500,000,000) has 497,000,000 unspent, not 496,999,999
    headers, rows, _ = table(book["Cảnh báo"])
    unspent = [row[headers.index("Số tiền (đồng)")] for row in rows
               if row[headers.index("Mã đơn vị")] == "STP"
               and "Hoạt động thường xuyên" in row[headers.index("Số hiệu")]]
    assert unspent == [497_000_000]
    if levels:
        assert levels == ["REPEATABLE READ"]
