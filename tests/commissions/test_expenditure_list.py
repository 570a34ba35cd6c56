"""The expenditure list as the one list component draws it (app/core/list_pages.py), on the `spending`
world: signed amounts (a reversal reads negative, as in the workbook), sortable columns, filters that
narrow the rows and the totals, a totals row of the whole filtered set, the page count, lenient
filters, and the CSV and workbook of exactly what the filter shows (formula-looking text
neutralised, a unit officer's download holding its unit's rows only), in a fixed number of
statements whatever the page size."""
import csv
import io
import re
from dataclasses import replace

import openpyxl
import pytest

from tests.support import YEAR, Browser, CountedStatements, text

# the spending world's entries: voucher → signed cash moved
ALL = {"TU-01/2026": 5_000_000, "TT-01/2026": 15_000_000, "TT-STP-01": 10_000_000, "TT-STP-01/ĐẢO": -10_000_000,
       "+CT-03": 3_000_000, "CT-AN-01": 2_000_000}
STP = ("TT-STP-01", "TT-STP-01/ĐẢO", "+CT-03")


def _page_size(monkeypatch, size):
    from commissions.expenditures import views
    monkeypatch.setattr(views, "EXPENDITURE_LIST", replace(views.EXPENDITURE_LIST, page_size=size))


def _rows(page: str) -> list[str]:
    return re.findall(r'data-testid="expenditure-row" data-voucher="([^"]*)"', page)


def _total(page: str) -> int:
    return int(re.search(r'data-total="amount" data-value="(-?\d+)"', page).group(1))


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    body = response.data.decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


@pytest.fixture
def auditor(app, spending):
    return Browser(app, "kiemtoan")


def test_a_reversal_shows_negative_and_the_totals_row_is_the_signed_sum(auditor):
    page = text(auditor.get("/expenditures"))
    assert sorted(_rows(page)) == sorted(ALL)
    assert re.search(r'data-voucher="TT-STP-01/ĐẢO" data-amount="-10000000"', page)
    assert "-10.000.000 ₫" in page
    assert _total(page) == sum(ALL.values()) == 25_000_000
    assert 'data-testid="list-totals"' in page and "<tfoot>" in page
    assert "Trang 1 / 1 · 6 dòng" in page


def test_the_totals_row_is_of_the_filtered_set_not_the_page(auditor, monkeypatch):
    _page_size(monkeypatch, 2)
    first = text(auditor.get("/expenditures"))
    assert len(_rows(first)) == 2 and _total(first) == 25_000_000
    assert "Trang 1 / 3 · 6 dòng" in first
    last = text(auditor.get("/expenditures?page=3"))
    assert len(_rows(last)) == 2 and _total(last) == 25_000_000 and "Trang 3 / 3" in last
    # past the last page: no rows, and the totals still of the filtered set
    beyond = text(auditor.get("/expenditures?page=99"))
    assert _rows(beyond) == [] and "6 khoản chi" in beyond
    seen = _rows(first) + _rows(text(auditor.get("/expenditures?page=2"))) + _rows(last)
    assert sorted(seen) == sorted(ALL)


def test_sorting_by_a_column_changes_the_order_and_keeps_the_filters(auditor):
    ascending = text(auditor.get("/expenditures?sort=amount"))
    assert _rows(ascending) == sorted(ALL, key=ALL.get)
    assert 'aria-sort="ascending"' in ascending
    descending = text(auditor.get("/expenditures?sort=-amount"))
    assert _rows(descending) == sorted(ALL, key=ALL.get, reverse=True)
    assert 'aria-sort="descending"' in descending
    # the header links keep the filters; the filter form keeps the sort
    filtered = text(auditor.get("/expenditures?kind=direct&sort=amount"))
    assert _rows(filtered) == ["CT-AN-01", "+CT-03"]
    assert 'href="?kind=direct&sort=-amount"' in filtered
    assert 'name="sort" value="amount"' in filtered
    # an unknown sort is the default order (newest first), not an error
    assert auditor.get("/expenditures?sort=drop%20table").status_code == 200


@pytest.mark.parametrize("query, expected", [
    ("kind=direct", ("+CT-03", "CT-AN-01")),
    ("unit=STP", STP),
    ("status=reversal", ("TT-STP-01/ĐẢO",)),
    ("status=reversed", ("TT-STP-01",)),
    ("amount_min=5.000.000&amount_max=10000000", ("TU-01/2026", "TT-STP-01", "TT-STP-01/ĐẢO")),
    ("q=%40Nh%C3%A0", ("+CT-03",)),
    ("amount=2000000", ("CT-AN-01",)),
])
def test_filters_narrow_the_rows_and_the_totals(auditor, query, expected):
    page = text(auditor.get(f"/expenditures?{query}"))
    assert sorted(_rows(page)) == sorted(expected)
    assert _total(page) == sum(ALL[v] for v in expected)
    assert f"{len(expected)} dòng" in page


def test_the_days_paid_filter(auditor, spending):
    paid_on = {e["voucher_no"]: e["paid_on"] for e in (spending.advance, spending.payment, spending.reversed_payment,
                                                      spending.reversal, spending.direct, spending.other_direct)}
    expected = sorted(v for v, day in paid_on.items() if day == f"{YEAR}-06-01")
    page = text(auditor.get(f"/expenditures?date_from=01/06/{YEAR}&date_to=1/6/{YEAR}"))
    assert sorted(_rows(page)) == expected and "TT-STP-01/ĐẢO" not in expected
    assert _total(page) == sum(ALL[v] for v in expected)
    assert 'placeholder="dd/mm/yyyy"' in page


def test_a_filter_that_does_not_parse_is_reported_beside_it_and_ignored(auditor):
    response = auditor.get("/expenditures?date_from=31/02/2026&amount_min=abc&kind=nope&page=x&unit=XYZ")
    assert response.status_code == 200
    page = text(response)
    assert sorted(_rows(page)) == sorted(ALL)
    for name in ("date_from", "amount_min", "kind", "unit"):
        assert f'data-filter-error="{name}"' in page
    assert 'aria-invalid="true"' in page


def test_a_unit_officer_sees_and_exports_its_units_rows_only(app, spending):
    stp = Browser(app, "donvi")
    page = text(stp.get("/expenditures"))
    assert sorted(_rows(page)) == sorted(STP) and _total(page) == 3_000_000
    assert 'id="f-unit"' not in page
    # a unit filter in the address changes nothing
    assert sorted(_rows(text(stp.get("/expenditures?unit=ANNHON")))) == sorted(STP)
    rows = _csv(stp.get("/expenditures.csv?unit=ANNHON"))
    vouchers = [row[2] for row in rows[1:-1]]
    assert sorted(vouchers) == sorted(["TT-STP-01", "TT-STP-01/ĐẢO", "'+CT-03"])
    book = openpyxl.load_workbook(io.BytesIO(stp.get("/expenditures.xlsx").data), read_only=True)
    cells = [row for row in book.active.iter_rows(values_only=True)]
    assert "CT-AN-01" not in {c for row in cells for c in row} and len(cells) == 1 + 3 + 1


def test_the_csv_holds_exactly_the_filtered_rows_in_order_neutralised_with_the_totals(auditor):
    links = text(auditor.get("/expenditures?kind=direct&sort=amount"))
    assert 'href="/expenditures.csv?kind=direct&sort=amount"' in links
    assert 'href="/expenditures.xlsx?kind=direct&sort=amount"' in links
    response = auditor.get("/expenditures.csv?kind=direct&sort=amount")
    assert 'filename="khoan-chi-' in response.headers["Content-Disposition"]
    header, *rows, last = _csv(response)
    assert header == ["Số", "Đơn vị", "Loại", "Chứng từ", "Ngày chi", "Người nhận", "Đặt hàng", "Số tiền",
                      "Trạng thái"]
    assert [row[3] for row in rows] == ["CT-AN-01", "'+CT-03"]
    assert [row[5] for row in rows] == ["Trung tâm bồi dưỡng", "'@Nhà in"]
    assert [row[1] for row in rows] == ["ANNHON", "STP"]
    assert {row[2] for row in rows} == {"Chi trực tiếp"}
    assert [row[7] for row in rows] == ["2000000", "3000000"]
    assert last[0] == "Tổng cộng: 2 dòng" and last[7] == "5000000"
    # the reversal, negative, as in the workbook
    header, *rows, last = _csv(auditor.get("/expenditures.csv?status=reversal"))
    assert [(row[3], row[7], row[8]) for row in rows] == [("TT-STP-01/ĐẢO", "-10000000", "Bút toán đảo")]


def test_the_workbook_holds_the_filtered_rows_typed_with_a_totals_line(auditor):
    response = auditor.get("/expenditures.xlsx?unit=STP&sort=-amount")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    header, *rows, last = list(book.active.iter_rows(values_only=True))
    assert header[3] == "Chứng từ" and header[7] == "Số tiền"
    assert [(row[3], row[7]) for row in rows] == [("TT-STP-01", 10_000_000), ("'+CT-03", 3_000_000),
                                                 ("TT-STP-01/ĐẢO", -10_000_000)]
    assert {row[5] for row in rows} >= {"'@Nhà in"}
    assert all(not str(cell).startswith(("=", "+", "@")) for row in rows for cell in row if cell is not None)
    assert last[0] == "Tổng cộng: 3 dòng" and last[7] == 3_000_000
    assert book.active.cell(2, 5).is_date


def _statements(app, client, path):
    with CountedStatements(app) as statements:
        response = client.get(path)
        assert response.status_code == 200
        response.get_data()
    return len(statements)


def test_a_fixed_number_of_statements_whatever_the_page_size_or_the_rows(app, auditor, monkeypatch):
    counts = set()
    for size in (1, 2, 20):
        _page_size(monkeypatch, size)
        # (pages whose entries all lack a commission skip the commissions' statement: none here)
        for query in ("?sort=amount", "?kind=payment", "?status=posted&sort=-amount&date_to=01/06/2026"):
            counts.add(_statements(app, auditor.client, f"/expenditures{query}"))
    assert len(counts) == 1, counts
    for ext in ("csv", "xlsx"):
        downloads = {_statements(app, auditor.client, f"/expenditures.{ext}{query}")
                     for query in ("", "?kind=payment", "?unit=STP&sort=-amount")}
        assert len(downloads) == 1, (ext, downloads)
