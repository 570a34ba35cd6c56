"""The commission list and the overdue deliverables through the one list component
(app/core/list_pages.py), on the `spending` world: sorting, filters narrowing rows and totals, the
totals row of the whole filtered set, the downloads of exactly what the filter shows (a unit's
holding its own rows only), and a fixed number of statements whatever the page size."""
import csv
import io
import re
from dataclasses import replace

import openpyxl
import pytest

from app.core import clock
from tests import support
from tests.support import Browser, CountedStatements, text


def _numbers(page, testid="commission-row"):
    return re.findall(rf'data-testid="{testid}" data-number="([^"]*)"', page)


def _totals(page):
    return {key: int(value) for key, value in re.findall(r'data-total="(\w+)" data-value="(-?\d+)"', page)}


def _csv(response):
    assert response.status_code == 200 and response.mimetype == "text/csv"
    body = response.data.decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


@pytest.fixture
def commissions(roles, spending):
    """{number: commission} as the API gives them to finance."""
    return {c["number"]: c for c in support.get(roles["finance"], "/api/v1/commissions?per_page=200")["items"]}


def test_commission_totals_sort_and_filters(app, commissions):
    finance = Browser(app, "taichinh")
    page = text(finance.get("/commissions"))
    assert sorted(_numbers(page)) == sorted(commissions)
    assert _totals(page) == {"value": sum(c["value"] for c in commissions.values()),
                             "paid": sum(c["paid"] for c in commissions.values())}
    by_paid = _numbers(text(finance.get("/commissions?sort=-paid")))
    assert by_paid == sorted(commissions, key=lambda n: (-commissions[n]["paid"], -commissions[n]["id"]))
    stp = text(finance.get("/commissions?unit=STP"))
    expected = [n for n, c in commissions.items() if c["unit"]["code"] == "STP"]
    assert _numbers(stp) == expected and _totals(stp)["value"] == sum(commissions[n]["value"] for n in expected)
    signed = [n for n, c in commissions.items() if c["signed_on"]]
    day = clock.today()
    in_range = text(finance.get(f"/commissions?signed_from=01/01/2026&signed_to={day:%d/%m/%Y}"))
    assert sorted(_numbers(in_range)) == sorted(signed) and len(signed) < len(commissions)
    assert _numbers(text(finance.get("/commissions?value_min=20.000.001"))) == [
        n for n, c in commissions.items() if c["value"] > 20_000_000]
    bad = finance.get("/commissions?signed_from=99/99/2026&supplier_id=abc&fiscal_year=99999")
    assert bad.status_code == 200 and sorted(_numbers(text(bad))) == sorted(commissions)
    assert 'data-filter-error="signed_from"' in text(bad)


def test_commission_downloads_of_the_filter_and_the_units_scope(app, commissions):
    finance = Browser(app, "taichinh")
    header, *rows, last = _csv(finance.get("/commissions.csv?sort=number"))
    assert header[:3] == ["Số", "Đơn vị", "Nội dung"]
    assert [row[0] for row in rows] == sorted(commissions, key=lambda n: commissions[n]["id"])
    assert last[0] == f"Tổng cộng: {len(commissions)} dòng"
    assert int(last[header.index("Giá trị")]) == sum(c["value"] for c in commissions.values())
    dic = Browser(app, "sotttt")
    own = [n for n, c in commissions.items() if c["unit"]["code"] == "SVHTTDL"]
    header, *rows, last = _csv(dic.get("/commissions.csv?unit=STP"))
    assert sorted(row[0] for row in rows) == sorted(own) and "Đơn vị" not in header
    book = openpyxl.load_workbook(io.BytesIO(dic.get("/commissions.xlsx").data))
    header, *rows, last = list(book.active.iter_rows(values_only=True))
    assert sorted(row[0] for row in rows) == sorted(own)
    assert last[header.index("Giá trị")] == sum(commissions[n]["value"] for n in own)


def test_overdue_list_filters_totals_and_downloads(app, commissions):
    today = clock.today()
    owed = [(c["number"], c["unit"]["code"], d) for c in commissions.values() if c["status"] not in
            ("rejected", "cancelled", "closed") for d in c["deliverables"]
            if d["status"] in ("planned", "delivery_rejected") and d["due_date"] < today.isoformat()]
    assert owed, "the spending world has overdue deliverables"
    finance = Browser(app, "taichinh")
    page = text(finance.get("/deliverables/overdue"))
    assert page.count('data-testid="overdue-row"') == len(owed)
    assert _totals(page) == {"value": sum(d["value"] for _n, _u, d in owed)}
    stp = [d for _n, unit, d in owed if unit == "STP"]
    narrowed = text(finance.get("/deliverables/overdue?unit=STP"))
    assert narrowed.count('data-testid="overdue-row"') == len(stp)
    assert _totals(narrowed)["value"] == sum(d["value"] for d in stp)
    header, *rows, last = _csv(Browser(app, "donvi").get("/deliverables/overdue.csv?unit=SVHTTDL"))
    assert len(rows) == len(stp) and last[0] == f"Tổng cộng: {len(stp)} dòng"
    assert "Đơn vị" not in header
    assert finance.get("/deliverables/overdue.xlsx?due_from=bad").status_code == 200


def test_a_fixed_number_of_statements_whatever_the_page_size(app, commissions, monkeypatch):
    from commissions import views
    finance = Browser(app, "taichinh")
    counts = {"/commissions": set(), "/deliverables/overdue": set()}
    for size in (1, 2, 20):
        monkeypatch.setattr(views, "COMMISSION_LIST", replace(views.COMMISSION_LIST, page_size=size))
        monkeypatch.setattr(views, "OVERDUE_LIST", replace(views.OVERDUE_LIST, page_size=size))
        for path in counts:
            for query in ("", "?sort=-value"):
                with CountedStatements(app) as statements:
                    assert finance.get(path + query).status_code == 200
                counts[path].add(len(statements))
    assert all(len(found) == 1 for found in counts.values()), counts
