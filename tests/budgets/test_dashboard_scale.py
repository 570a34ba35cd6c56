"""The dashboard at province scale (issue 22 item 6): its totals are one SQL aggregate of the year's
allocations, exactly their sums; finance and auditors see the units given the most (a fixed number of
rows, summed in SQL) and a unit its first allocations, each with a link to the paged allocation list;
the page costs the same statements with a few allocations as with many more."""
import re

from tests import support
from tests.support import YEAR, Browser, CountedStatements, text

PAGE = f"/dashboard?year={YEAR}"
KEYS = ("amount", "committed", "spent", "available")


def _money(value: str) -> int:
    return int(value.replace(".", "").replace("₫", "").strip())


def _totals(page: str) -> dict:
    return {key: _money(re.search(rf'data-testid="total-{key}">([^<]+)<', page).group(1)) for key in KEYS}


def _year_sums(reader) -> dict:
    """The sums of the year's allocations as the API lists them, one at a time."""
    items, page = [], 1
    while True:
        body = support.get(reader, f"/api/v1/allocations?fiscal_year={YEAR}&per_page=100&page={page}")
        items += body["items"]
        if len(items) >= body["total"]:
            break
        page += 1
    return {key: sum(a[key] for a in items) for key in KEYS}, items


def _visit(app, browser, path=PAGE):
    with CountedStatements(app) as statements:
        response = browser.get(path)
    assert response.status_code == 200
    return len(statements), text(response)


def _grow(app, roles, world, *, units=24, stp_allocations=25):
    """Many more allocations of the year: `units` new units with one each (amounts growing with the
    unit's number), and `stp_allocations` more for STP."""
    finance = roles["finance"]
    envelope = support.envelope(finance, 900_000_000_000)
    for n in range(1, units + 1):
        world.unit(f"DV{n:02d}", f"Đơn vị thử {n:02d}")
        support.allocation(finance, envelope["id"], f"DV{n:02d}", n * 10_000_000, decision_no=f"{n}/QĐ-DV")
    for n in range(stp_allocations):
        support.allocation(finance, envelope["id"], "STP", 1_000_000 + n, decision_no=f"{n}/QĐ-STP",
                           category="training")


def test_the_totals_and_statements_stay_fixed_for_finance_and_auditors(app, roles, spending, world):
    readers = {"taichinh": Browser(app, "taichinh"), "kiemtoan": Browser(app, "kiemtoan")}
    before = {name: _visit(app, reader) for name, reader in readers.items()}
    sums, items = _year_sums(roles["finance"])
    assert sums["spent"] == spending.total_spent
    for _count, page in before.values():
        assert _totals(page) == sums
        shown = re.findall(r'data-testid="unit-row" data-key="([^"]+)"', page)
        assert sorted(shown) == sorted({a["unit"]["code"] for a in items})
        assert 'data-testid="allocation-row"' not in page  # the province's decisions are on /allocations
        assert f'href="/allocations?fiscal_year={YEAR}"' in page

    _grow(app, roles, world)
    sums, items = _year_sums(roles["finance"])
    assert len(items) > 40
    by_unit = {}
    for a in items:
        by_unit[a["unit"]["code"]] = by_unit.get(a["unit"]["code"], 0) + a["amount"]
    for name, reader in readers.items():
        count, page = _visit(app, reader)
        assert count == before[name][0], name
        assert _totals(page) == sums, name
        rows = re.findall(r'data-testid="unit-row" data-key="([^"]+)".*?data-testid="unit-amount">([^<]+)<',
                          page, re.S)
        assert len(rows) == 20
        largest = sorted(by_unit.items(), key=lambda pair: (-pair[1], pair[0]))[:20]
        assert [(code, _money(amount)) for code, amount in rows] == largest
        assert f"20 đơn vị được giao nhiều nhất trong {len(by_unit)} đơn vị" in page
        assert f'href="/allocations?fiscal_year={YEAR}&unit=DV24"' in page


def test_a_unit_sees_its_first_allocations_and_the_whole_years_totals(app, roles, spending, world):
    unit = Browser(app, "donvi")
    count, page = _visit(app, unit)
    sums, items = _year_sums(roles["unit"])
    assert _totals(page) == sums and len(items) < 20
    assert page.count('data-testid="allocation-row"') == len(items)

    _grow(app, roles, world, units=1)
    sums, items = _year_sums(roles["unit"])
    assert len(items) > 20
    grown, page = _visit(app, unit)
    assert grown == count
    assert _totals(page) == sums
    assert page.count('data-testid="allocation-row"') == 20
    assert f"20 quyết định đầu tiên trong {len(items)} quyết định phân bổ" in page
    assert f'href="/allocations?fiscal_year={YEAR}"' in page
    assert "DV01" not in page  # another unit's allocation stays out
