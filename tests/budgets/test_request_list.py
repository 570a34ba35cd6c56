"""The funding-request list as the one list component draws it (app/core/list_pages.py): sorting,
filters that narrow the rows and the totals, the totals row of the whole filtered set, the page
count, and the CSV and workbook of exactly what the filter shows (a formula-looking title
neutralised, a unit officer's download holding its unit's rows only), in a fixed number of
statements whatever the page size."""
import csv
import io
import re
from dataclasses import replace
from datetime import timedelta

import openpyxl
import pytest

from app.auth.services import get_user_by_username
from app.core import clock
from app.extensions import db
from tests.support import YEAR, Browser, CountedStatements, text

COUNT = 23
HOSTILE = "=HYPERLINK(\"http://x\",\"Tin bài\")"


@pytest.fixture
def requests(app, roles):
    """STP files COUNT submitted requests, request i asking (i + 1) × 1.000.000 ₫, one more whose
    title looks like a formula, and An Nhơn files one."""
    from budgets import services
    with app.app_context():
        stp, other = get_user_by_username("donvi"), get_user_by_username("huyen")

        def filed(actor, title, amount):
            record = services.create_request(actor, fiscal_year=YEAR, title=title, lines=[
                {"category": "press", "description": "Tin bài", "quantity": 1, "unit_cost": amount}])
            services.submit_request(actor, record)
        for index in range(COUNT):
            filed(stp, f"Tin bài số {index:02d}", (index + 1) * 1_000_000)
        filed(stp, HOSTILE, 7)
        filed(other, "Tin bài An Nhơn", 500_000)
        db.session.commit()


def _page_size(monkeypatch, size):
    from budgets import views
    monkeypatch.setattr(views, "REQUEST_LIST", replace(views.REQUEST_LIST, page_size=size))


def _titles(page):
    return re.findall(r'data-testid="request-row".*?<td>\d{4}</td>\s*<td>([^<]*)</td>', page, re.S)


def _totals(page):
    return {key: int(value) for key, value in re.findall(r'data-total="(\w+)" data-value="(-?\d+)"', page)}


def _csv(response):
    assert response.status_code == 200 and response.mimetype == "text/csv"
    body = response.data.decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


SERIES = "q=Tin+b%C3%A0i+s%E1%BB%91"


def test_totals_of_the_filtered_set_and_the_page_count(app, requests):
    finance = Browser(app, "taichinh")
    page = text(finance.get(f"/requests?{SERIES}"))
    assert len(_titles(page)) == 20 and "Tìm thấy 23 đề nghị." in page
    assert "Trang 1 / 2 · 23 dòng" in page
    assert _totals(page) == {"requested": sum(range(1, COUNT + 1)) * 1_000_000, "approved": 0}
    second = text(finance.get(f"/requests?{SERIES}&page=2"))
    assert len(_titles(second)) == 3 and _totals(second) == _totals(page)


def test_sorting_and_filters(app, requests):
    finance = Browser(app, "taichinh")
    ascending = _titles(text(finance.get(f"/requests?{SERIES}&sort=title")))
    assert ascending == [f"Tin bài số {i:02d}" for i in range(20)]
    descending = _titles(text(finance.get(f"/requests?{SERIES}&sort=-requested")))
    assert descending[:3] == ["Tin bài số 22", "Tin bài số 21", "Tin bài số 20"]
    ranged = text(finance.get("/requests?amount_min=20.000.000&amount_max=22000000&sort=requested"))
    assert _titles(ranged) == ["Tin bài số 19", "Tin bài số 20", "Tin bài số 21"]
    assert _totals(ranged)["requested"] == 63_000_000
    assert _titles(text(finance.get("/requests?unit=ANNHON"))) == ["Tin bài An Nhơn"]
    today = clock.today()
    assert len(_titles(text(finance.get(f"/requests?updated_from={today:%d/%m/%Y}&updated_to={today:%d/%m/%Y}")))) == 20
    tomorrow = today + timedelta(days=1)
    assert "Trang 1 / 1 · 0 dòng" in text(finance.get(f"/requests?updated_from={tomorrow:%d/%m/%Y}"))
    bad = finance.get("/requests?updated_from=32/01/2026&amount_max=-5&fiscal_year=abc")
    assert bad.status_code == 200
    for name in ("updated_from", "amount_max", "fiscal_year"):
        assert f'data-filter-error="{name}"' in text(bad)


def test_the_downloads_hold_exactly_the_filtered_rows(app, requests):
    finance = Browser(app, "taichinh")
    header, *rows, last = _csv(finance.get(f"/requests.csv?{SERIES}&sort=title"))
    assert header[:4] == ["Số", "Đơn vị", "Năm", "Nội dung"] and "Nhóm chi" not in header
    assert [row[3] for row in rows] == [f"Tin bài số {i:02d}" for i in range(COUNT)]
    assert last[0] == "Tổng cộng: 23 dòng" and last[header.index("Số đề nghị")] == str(276_000_000)
    hostile = _csv(finance.get("/requests.csv?q=HYPERLINK"))[1:-1]
    assert [row[3] for row in hostile] == ["'" + HOSTILE]
    assert hostile[0][header.index("Trạng thái")] == "Đã gửi"
    book = openpyxl.load_workbook(io.BytesIO(finance.get(f"/requests.xlsx?{SERIES}&amount_min=22000000").data))
    header, *rows, last = list(book.active.iter_rows(values_only=True))
    assert [(row[3], row[4]) for row in rows] == [("Tin bài số 22", 23_000_000), ("Tin bài số 21", 22_000_000)]
    assert last[0] == "Tổng cộng: 2 dòng" and last[4] == 45_000_000


def test_a_unit_officers_list_and_download_hold_its_units_rows_only(app, requests):
    stp = Browser(app, "donvi")
    page = text(stp.get("/requests?unit=ANNHON"))
    assert "Tin bài An Nhơn" not in page and 'id="f-unit"' not in page
    header, *rows, _last = _csv(stp.get("/requests.csv?unit=ANNHON"))
    assert "Đơn vị" not in header  # a unit's own list has no unit column
    assert len(rows) == COUNT + 1 and "Tin bài An Nhơn" not in {row[2] for row in rows}
    other = _csv(Browser(app, "huyen").get("/requests.csv"))[1:-1]
    assert [row[2] for row in other] == ["Tin bài An Nhơn"]


def test_a_fixed_number_of_statements_whatever_the_page_size(app, requests, monkeypatch):
    finance = Browser(app, "taichinh")
    counts = set()
    for size in (1, 5, 20):
        _page_size(monkeypatch, size)
        for query in ("", "?sort=title", f"?{SERIES}&unit=STP"):
            with CountedStatements(app) as statements:
                assert finance.get(f"/requests{query}").status_code == 200
            counts.add(len(statements))
    assert len(counts) == 1, counts
