"""The allocation list (/allocations) through the one list component, on the `spending` world: its
running balances and their totals over the filtered set, sorting, filters, the downloads of exactly
what the filter shows (a unit's holding its own allocations only) and a fixed statement count."""
import csv
import io
import re
from dataclasses import replace

import openpyxl

from tests import support
from tests.support import YEAR, Browser, CountedStatements, text


def _decisions(page):
    return re.findall(r'data-testid="allocation-row" data-decision="([^"]*)"', page)


def _totals(page):
    return {key: int(value) for key, value in re.findall(r'data-total="(\w+)" data-value="(-?\d+)"', page)}


def _csv(response):
    assert response.status_code == 200 and response.mimetype == "text/csv"
    body = response.data.decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


def _sums(allocations):
    return {"amount": sum(a["amount"] for a in allocations), "committed": sum(a["committed"] for a in allocations),
            "spent": sum(a["spent"] for a in allocations), "available": sum(a["available"] for a in allocations)}


def test_allocation_totals_sort_filters_and_downloads(app, roles, spending):
    every = support.get(roles["finance"], "/api/v1/allocations?per_page=200")["items"]
    finance = Browser(app, "taichinh")
    page = text(finance.get("/allocations"))
    assert len(_decisions(page)) == min(len(every), 20) and f"{len(every)} dòng" in page
    assert _totals(page) == _sums(every)
    assert _totals(page)["spent"] == spending.total_spent
    by_spent = text(finance.get("/allocations?sort=-spent"))
    assert re.findall(r'data-testid="allocation-row"', by_spent) and 'aria-sort="descending"' in by_spent
    stp = [a for a in every if a["unit"]["code"] == "STP"]
    narrowed = text(finance.get(f"/allocations?unit=STP&fiscal_year={YEAR}"))
    assert len(_decisions(narrowed)) == len(stp) and _totals(narrowed) == _sums(stp)
    training = [a for a in every if a["category"] == "training"]
    assert _totals(text(finance.get("/allocations?category=training"))) == _sums(training)
    assert finance.get("/allocations?decided_from=bad&amount_min=x").status_code == 200

    header, *rows, last = _csv(finance.get("/allocations.csv?unit=STP&sort=-spent"))
    assert header[0] == "Số quyết định" and len(rows) == len(stp)
    spent = header.index("Đã chi")
    assert [int(row[spent]) for row in rows] == sorted((a["spent"] for a in stp), reverse=True)
    assert last[0] == f"Tổng cộng: {len(stp)} dòng" and int(last[spent]) == _sums(stp)["spent"]

    unit = Browser(app, "donvi")
    header, *rows, last = _csv(unit.get("/allocations.csv?unit=ANNHON"))
    assert "Đơn vị" not in header and len(rows) == len(stp)
    book = openpyxl.load_workbook(io.BytesIO(unit.get("/allocations.xlsx").data))
    header, *rows, last = list(book.active.iter_rows(values_only=True))
    assert len(rows) == len(stp) and last[header.index("Đã chi")] == _sums(stp)["spent"]
    assert Browser(app, "quantri").get("/allocations").status_code == 403


def test_a_fixed_number_of_statements_whatever_the_page_size(app, spending, monkeypatch):
    from budgets import views
    finance = Browser(app, "taichinh")
    counts = set()
    for size in (1, 3, 20):
        monkeypatch.setattr(views, "ALLOCATION_LIST", replace(views.ALLOCATION_LIST, page_size=size))
        for query in ("", "?sort=-spent", "?category=training"):
            with CountedStatements(app) as statements:
                assert finance.get(f"/allocations{query}").status_code == 200
            counts.add(len(statements))
    assert len(counts) == 1, counts
