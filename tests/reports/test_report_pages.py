"""The report pages with the Flask test client, logged in through /login as a browser would: the
execution dashboard (the province for finance and auditors, its own unit for a unit), its filters and
what a bad filter shows, the flags page, the ledger downloads of the pages, and who is refused.

The dashboard's figures are compared with the API's execution report (the same query): what a reader
sees on the page is what a client reads from the API."""
import csv
import io
import re

import pytest

from app.core.money import format_vnd
from tests import support
from tests.support import ROLE_PEOPLE, Browser, text

YEAR = support.YEAR
SHEETS = ["Tổng hợp", "Sổ chi", "Đặt hàng", "Sản phẩm", "Điều chỉnh dự toán", "Mẫu 31", "Cảnh báo", "Nhật ký"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class Reader(Browser):
    """A browser logged in as one of the roles world's people; its reads assert their status."""

    def __init__(self, app, who):
        super().__init__(app, ROLE_PEOPLE[who][0])

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
    return support.get(client, f"/api/v1/reports/execution?fiscal_year={YEAR}{query}")


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

def fetched(response):
    """(status, Content-Disposition, body) of a download, read to its end and closed (a streamed
    answer keeps its request open until then)."""
    try:
        return response.status_code, response.headers.get("Content-Disposition"), response.get_data()
    finally:
        response.close()


def test_the_flags_page_says_when_it_shows_part_of_them(spending, roles, readers, monkeypatch):
    from reports import views
    total_flags = support.get(roles["auditor"], f"/api/v1/reports/flags?fiscal_year={YEAR}")["total"]
    monkeypatch.setattr(views, "PAGE_LIMIT", 2)
    page = readers["auditor"].page(f"/reports/flags?fiscal_year={YEAR}")
    assert page.count('data-testid="flag-row"') == 2 and 'data-testid="flags-truncated"' in page
    assert f'data-testid="flags-count">{total_flags}<' in page
