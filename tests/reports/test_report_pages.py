"""The report pages with the Flask test client, logged in through /login as a browser would: the
execution dashboard (the province for finance and auditors, its own unit for a unit), its filters and
what a bad filter shows, the flags page, the ledger downloads of the pages, and who is refused.

The dashboard's figures are compared with the API's execution report (the same query): what a reader
sees on the page is what a client reads from the API."""
import csv
import html
import io
import re

import pytest

from app.core.money import format_vnd
from tests import support as h
from tests.support import PASSWORD, ROLE_PEOPLE

YEAR = h.YEAR
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
SHEETS = ["Tổng hợp", "Sổ chi", "Đặt hàng", "Sản phẩm", "Cảnh báo", "Nhật ký"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


class Reader:
    """A test client logged in through the login form."""

    def __init__(self, app, who):
        self.client = app.test_client()
        page = self.client.get("/login")
        response = self.client.post("/login", data={
            "csrf_token": CSRF.search(page.get_data(as_text=True)).group(1),
            "username": ROLE_PEOPLE[who][0], "password": PASSWORD})
        assert response.status_code == 302, text(response)

    def get(self, path, status=200):
        response = self.client.get(path)
        assert response.status_code == status, (path, response.status_code, text(response)[:2000])
        return response

    def page(self, path, status=200) -> str:
        return text(self.get(path, status))


@pytest.fixture
def readers(app, roles):
    return {who: Reader(app, who) for who in ("unit", "dic", "other_unit", "finance", "auditor", "admin")}


def row_keys(page) -> list[str]:
    return re.findall(r'data-testid="report-row" data-key="([^"]+)"', page)


def total(page, key) -> str:
    return re.search(rf'data-testid="total-{key}">([^<]+)<', page).group(1).strip()


def api_report(client, query=""):
    return h.get(client, f"/api/v1/reports/execution?fiscal_year={YEAR}{query}")


def vi_rate(rate) -> str:
    return f"{rate:.2f} %".replace(".", ",")


# --- the dashboard ---------------------------------------------------------------------------

@pytest.mark.parametrize("who", ["finance", "auditor"])
def test_finance_and_auditors_see_the_province(spending, roles, readers, who):
    page = readers[who].page(f"/reports?fiscal_year={YEAR}")
    expected = api_report(roles[who])
    assert "Toàn tỉnh" in page
    assert row_keys(page) == [row["key"] for row in expected["items"]] == sorted(["ANNHON", "STP", "SVHTTDL"])
    for key in ("allocated", "committed", "spent", "available"):
        assert total(page, key) == format_vnd(expected["totals"][key])
    assert total(page, "spent") == "25.000.000 ₫" == format_vnd(spending.total_spent)
    assert total(page, "execution_rate") == vi_rate(expected["totals"]["execution_rate"])
    assert page.count('data-testid="usage-bar"') == 3 and 'data-pct="' in page
    assert 'name="unit"' in page and "UBND phường An Nhơn" in page  # the unit filter is offered


def test_a_unit_sees_only_its_own_unit(spending, roles, readers):
    page = readers["unit"].page(f"/reports?fiscal_year={YEAR}")
    assert "Sở Tư pháp (STP)" in page and "Toàn tỉnh" not in page
    expected = api_report(roles["unit"], "&by=category")
    assert row_keys(page) == [row["key"] for row in expected["items"]]  # a unit's default: by category
    assert total(page, "spent") == "3.000.000 ₫"
    assert total(page, "allocated") == format_vnd(expected["totals"]["allocated"]) == "2.500.000.000 ₫"
    assert 'name="unit"' not in page  # no unit to choose
    by_unit = readers["unit"].page(f"/reports?fiscal_year={YEAR}&by=unit")
    assert row_keys(by_unit) == ["STP"]
    assert "SVHTTDL" not in by_unit and "ANNHON" not in by_unit


def test_a_unit_naming_another_unit_is_told_and_still_sees_only_its_own(spending, readers):
    page = readers["other_unit"].page(f"/reports?fiscal_year={YEAR}&by=unit&unit=STP", status=422)
    assert 'data-testid="filter-errors"' in page and "Không có đơn vị mã STP." in page
    assert row_keys(page) == ["ANNHON"] and total(page, "spent") == "2.000.000 ₫"


def test_filters_by_unit_grouping_and_year(spending, roles, readers):
    auditor = readers["auditor"]
    one_unit = auditor.page(f"/reports?fiscal_year={YEAR}&by=category&unit=SVHTTDL")
    expected = api_report(roles["auditor"], "&by=category&unit=SVHTTDL")
    assert "Sở Văn hóa, Thể thao và Du lịch (SVHTTDL)" in one_unit
    assert row_keys(one_unit) == [row["key"] for row in expected["items"]]
    assert total(one_unit, "spent") == "20.000.000 ₫"
    assert '<option value="SVHTTDL" selected>' in one_unit and '<option value="category" selected>' in one_unit
    press = re.search(r'data-key="press".*?</tr>', one_unit, re.S).group(0)
    assert "Đặt hàng báo chí" in press
    assert format_vnd(20_000_000) in press
    by_envelope = auditor.page(f"/reports?fiscal_year={YEAR}&by=envelope")
    assert len(row_keys(by_envelope)) == 1 and total(by_envelope, "spent") == "25.000.000 ₫"
    # the unit's name on a by-unit row opens that unit's figures by category
    province = auditor.page(f"/reports?fiscal_year={YEAR}&by=unit")
    assert f'href="/reports?fiscal_year={YEAR}&by=category&unit=ANNHON"' in province


def test_the_download_links_carry_the_filters(spending, readers):
    page = readers["auditor"].page(f"/reports?fiscal_year={YEAR}&unit=STP")
    links = dict(re.findall(r'data-testid="(download-xlsx|download-csv)"\s+href="([^"]+)"', page))
    assert links["download-xlsx"].startswith("/reports/ledger.xlsx?")
    assert links["download-csv"].startswith("/reports/ledger.csv?")
    for link in links.values():
        assert f"fiscal_year={YEAR}" in link and "unit=STP" in link and "lang=vi" in link
    own = readers["unit"].page(f"/reports?fiscal_year={YEAR}")
    assert "unit=" not in re.search(r'data-testid="download-xlsx"\s+href="([^"]+)"', own).group(1)


def test_the_empty_state(spending, readers):
    page = readers["finance"].page(f"/reports?fiscal_year={YEAR - 3}")
    assert 'data-testid="empty-report"' in page
    assert f"Chưa có kinh phí nào được phân bổ trong năm {YEAR - 3}." in page
    assert total(page, "allocated") == "0 ₫" and total(page, "execution_rate") == "0,00 %"


def test_an_empty_province_shows_the_empty_state(roles, readers):
    page = readers["auditor"].page("/reports")
    assert 'data-testid="empty-report"' in page and 'data-testid="report-table"' not in page


@pytest.mark.parametrize("query,field", [
    ("fiscal_year=abc", "fiscal_year"), ("fiscal_year=99999999999999999999", "fiscal_year"),
    ("fiscal_year=1999", "fiscal_year"), ("by=nope", "by"), ("unit=KHONGCO", "unit"),
    ("unit=" + "X" * 300, "unit"), ("fiscal_year=2026.5", "fiscal_year")])
def test_a_bad_filter_is_reported_not_a_500(spending, readers, query, field):
    page = readers["finance"].page(f"/reports?{query}", status=422)
    assert 'data-testid="filter-errors"' in page and f'data-field-error="{field}"' in page
    assert 'data-testid="report-totals"' in page  # the page still shows figures, for the defaults


def test_a_nul_byte_is_refused_with_a_page(spending, readers):
    assert 'data-testid="error-message"' in readers["finance"].page("/reports?fiscal_year=%00", status=422)


def test_a_bad_filter_keeps_the_good_ones(spending, readers):
    page = readers["finance"].page(f"/reports?fiscal_year={YEAR}&by=nope&unit=STP", status=422)
    assert row_keys(page) == ["STP"] and total(page, "spent") == "3.000.000 ₫"


def test_english(spending, readers):
    client = readers["finance"].client
    client.get("/lang/en")
    page = text(client.get(f"/reports?fiscal_year={YEAR}"))
    assert '<html lang="en">' in page
    assert "Budget execution" in page and "Allocated" in page and "Spent" in page
    assert "lang=en" in re.search(r'data-testid="download-xlsx"\s+href="([^"]+)"', page).group(1)


# --- who is refused --------------------------------------------------------------------------

PAGES = ["/reports", "/reports/flags", f"/reports/ledger.xlsx?fiscal_year={YEAR}",
         f"/reports/ledger.csv?fiscal_year={YEAR}"]


@pytest.mark.parametrize("path", PAGES)
def test_admins_are_refused(roles, readers, path):
    page = readers["admin"].page(path, status=403)
    assert 'data-testid="error-message"' in page


@pytest.mark.parametrize("path", PAGES)
def test_anonymous_goes_to_the_login_page(client, path):
    response = client.get(path)
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_the_navigation_offers_the_reports(roles, readers):
    for who in ("unit", "finance", "auditor"):
        page = readers[who].page("/reports")
        assert 'href="/reports"' in page and 'href="/reports/flags"' in page
    assert 'href="/reports"' not in readers["admin"].page("/units")


# --- downloads (reports.workbook and reports.csv_export) --------------------------------------

def test_an_auditor_downloads_the_workbook(spending, readers):
    import openpyxl
    response = readers["auditor"].get(f"/reports/ledger.xlsx?fiscal_year={YEAR}")
    assert response.mimetype == XLSX
    assert "attachment" in response.headers["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.get_data()), read_only=True)
    assert book.sheetnames == SHEETS


def test_the_page_csv_is_the_api_csv(spending, roles, readers):
    query = f"?fiscal_year={YEAR}&lang=vi"
    page = readers["auditor"].get("/reports/ledger.csv" + query).get_data()
    api = roles["auditor"].get("/api/v1/reports/ledger.csv" + query)
    assert api.status_code == 200 and page == api.get_data()
    assert page.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(page.decode("utf-8-sig"))))
    assert any("CT-AN-01" in cell for row in rows for cell in row)


def test_a_units_csv_holds_only_its_own_rows(spending, readers):
    body = readers["unit"].get(f"/reports/ledger.csv?fiscal_year={YEAR}").get_data().decode("utf-8-sig")
    assert "CT-03" in body  # its own direct spending (neutralised: it starts with +)
    assert "CT-AN-01" not in body and "TT-01/2026" not in body


def test_bad_download_arguments_show_the_error_page(spending, readers):
    for query in ("fiscal_year=abc", f"fiscal_year={YEAR}&date_from={YEAR}-06-02&date_to={YEAR}-06-01",
                  f"fiscal_year={YEAR}&lang=fr", f"fiscal_year={YEAR}&date_from=hôm-qua"):
        for kind in ("xlsx", "csv"):
            page = readers["finance"].page(f"/reports/ledger.{kind}?{query}", status=422)
            assert 'data-testid="error-message"' in page and "Bộ lọc của sổ chi không hợp lệ." in page
    page = readers["unit"].page(f"/reports/ledger.xlsx?fiscal_year={YEAR}&unit=ANNHON", status=422)
    assert "Không có đơn vị mã ANNHON." in page


# --- flags -----------------------------------------------------------------------------------

def _flag(code, severity, entity, entity_id, reference, **extra):
    return {"code": code, "label": code.replace("_", " "), "severity": severity, "entity": entity,
            "entity_id": entity_id, "unit_code": "STP", "reference": reference, "amount": None, "since": None,
            "days": None, "message": f"Thông điệp {code}", **extra}


def unit_id(app, code):
    import sqlalchemy as sa
    from app.extensions import db
    from app.units.models import Unit
    with app.app_context():
        return db.session.execute(sa.select(Unit.id).where(Unit.code == code)).scalar_one()


def test_flags_grouped_by_severity_with_links_to_their_records(app, roles, readers, monkeypatch):
    """The page's side of the flags contract (FlagOut): what `reports.flags.find` gives is shown,
    most urgent first, each with a link to its record's page."""
    from reports import flags
    seen = []

    def find(fiscal_year, unit_id, today=None):
        seen.append((fiscal_year, unit_id))
        return [_flag("low_execution", "low", "allocation", 4, "245/QĐ-STC", amount=500_000_000),
                _flag("direct_without_document", "high", "expenditure", 7, "CT-03", amount=3_000_000,
                      since=f"{YEAR}-06-01", days=40),
                _flag("overdue_deliverable", "medium", "deliverable", 9, "DH-2026-0001"),
                _flag("no_deliveries", "medium", "commission", 3, "DH-2026-0002"),
                _flag("mystery", "", None, None, "—")]

    monkeypatch.setattr(flags, "find", find)
    page = readers["auditor"].page(f"/reports/flags?fiscal_year={YEAR}")
    assert seen == [(YEAR, None)]
    assert re.findall(r'data-testid="flag-group" data-severity="([^"]*)"', page) == ["high", "medium", "low", ""]
    assert 'data-testid="flags-count">5<' in page
    for href in ("/expenditures/7", "/deliverables/9", "/commissions/3", "/allocations/4"):
        assert f'href="{href}" data-testid="flag-link"' in page
    assert "3.000.000 ₫" in page and f"01/06/{YEAR}" in page and "Thông điệp mystery" in page

    unit_page = readers["unit"].page(f"/reports/flags?fiscal_year={YEAR}")
    assert seen[-1] == (YEAR, unit_id(app, "STP")) and "Sở Tư pháp (STP)" in unit_page  # its own unit's


def test_no_flags_says_so(roles, readers, monkeypatch):
    from reports import flags
    monkeypatch.setattr(flags, "find", lambda fiscal_year, unit_id, today=None: [])
    page = readers["finance"].page("/reports/flags?fiscal_year=abc", status=422)
    assert 'data-testid="empty-flags"' in page and "Không có cảnh báo" in page
    assert 'data-field-error="fiscal_year"' in page


def test_the_flags_page_shows_what_the_api_finds(spending, roles, readers):
    """With the real `reports.flags.find`: the page lists what the API lists, each flag linked to its
    record, and a unit sees its own flags only (the `spending` world's direct spending has no
    document: STP's and An Nhơn's are flagged)."""
    pages = {"expenditure": "/expenditures/", "deliverable": "/deliverables/", "commission": "/commissions/",
             "allocation": "/allocations/"}
    for who in ("finance", "unit"):
        expected = h.get(roles[who], f"/api/v1/reports/flags?fiscal_year={YEAR}")["items"]
        page = readers[who].page(f"/reports/flags?fiscal_year={YEAR}")
        assert page.count('data-testid="flag-row"') == len(expected)
        links = re.findall(r'href="([^"]+)" data-testid="flag-link"', page)
        assert links == [pages[item["entity"]] + str(item["entity_id"]) for item in sorted(
            expected, key=lambda item: ["high", "medium", "low"].index(item["severity"]))]
        assert f"/expenditures/{spending.direct['id']}" in links
        flagged_other = f"/expenditures/{spending.other_direct['id']}" in links
        assert flagged_other == (who == "finance")


def fetched(response):
    """(status, Content-Disposition, body) of a download, read to its end and closed (a streamed
    answer keeps its request open until then)."""
    try:
        return response.status_code, response.headers.get("Content-Disposition"), response.get_data()
    finally:
        response.close()


def test_page_and_api_downloads_call_the_same_export_with_the_same_selection(spending, roles, readers, app,
                                                                           monkeypatch, tmp_path):
    """The pages' side of the export contract, whatever the workbook holds: the same selection and
    language reach `reports.workbook` and `reports.csv_export` from the page and from the API, the
    file is sent under the workbook's name and removed once sent."""
    from reports import csv_export, workbook
    calls, removed = [], []

    def write(actor, selection, lang):
        path = tmp_path / f"ledger-{len(calls)}.xlsx"
        path.write_bytes(b"PK\x03\x04 workbook")
        calls.append(("xlsx", actor.username, selection, lang))
        return str(path)

    def chunks(selection, lang):
        calls.append(("csv", None, selection, lang))
        yield "\ufeffvoucher\r\n"
        yield "CT-01\r\n"

    monkeypatch.setattr(workbook, "write_to_temporary_file", write, raising=False)
    monkeypatch.setattr(workbook, "file_name", lambda selection: f"so-chi-{selection.fiscal_year}.xlsx",
                        raising=False)
    monkeypatch.setattr(workbook, "remove", removed.append, raising=False)
    monkeypatch.setattr(csv_export, "chunks", chunks, raising=False)
    monkeypatch.setattr(csv_export, "file_name", lambda selection: f"so-chi-{selection.fiscal_year}.csv",
                        raising=False)
    query = f"?fiscal_year={YEAR}&unit=STP&date_from={YEAR}-01-01&date_to={YEAR}-06-30"
    for kind in ("xlsx", "csv"):
        page = fetched(readers["auditor"].get(f"/reports/ledger.{kind}{query}"))
        api = fetched(roles["auditor"].get(f"/api/v1/reports/ledger.{kind}{query}&lang=vi"))
        assert api[0] == 200
        assert page[1] == api[1] and f"so-chi-{YEAR}.{kind}" in page[1]  # the same file name
        assert page[2] == api[2]
    page_xlsx, api_xlsx, page_csv, api_csv = calls
    assert page_xlsx == api_xlsx and page_csv == api_csv and page_xlsx[2] == page_csv[2]
    selection = page_xlsx[2]
    assert (selection.fiscal_year, selection.unit_id, str(selection.date_from), str(selection.date_to)) == (
        YEAR, unit_id(app, "STP"), f"{YEAR}-01-01", f"{YEAR}-06-30")
    assert page_xlsx[1] == "kiemtoan" and page_xlsx[3] == "vi"
    assert len(removed) == 2  # both temporary files, once sent
    # a unit's download is its own unit's, and the page's language is the default
    client = readers["unit"].client
    client.get("/lang/en")
    assert fetched(client.get(f"/reports/ledger.xlsx?fiscal_year={YEAR}"))[0] == 200
    assert calls[-1][2].unit_id == unit_id(app, "STP") and calls[-1][3] == "en"
