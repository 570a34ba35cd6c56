"""The year month by month on the dashboards (issue 19 item 7): each month holds the signed amounts
posted in it (a reversal lowers the month it is dated in), December's running totals are the
dashboard's "Được phân bổ" and "Đã chi", a unit's chart holds its own spending only, the months to
come are drawn as such, an empty year draws its axes, and the figures cost one statement whatever
their number. Rows are made through the HTTP API on the `spending` (and `past_year`) worlds."""
import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import time_machine

from app.extensions import db
from reports.monthly import monthly, short_money
from tests import support
from tests.reports.builders import entry, spend
from tests.support import ROLE_PEOPLE, Browser, CountedStatements, text

YEAR = support.YEAR
VN = ZoneInfo("Asia/Ho_Chi_Minh")
YEAR_END = date(YEAR, 12, 31)


def at(day: date, hour=9):
    return time_machine.travel(datetime(day.year, day.month, day.day, hour, tzinfo=VN), tick=False)


def months(app, year=YEAR, unit_code=None, today=YEAR_END) -> list[dict]:
    from app.units.models import Unit
    with app.app_context():
        unit_id = db.session.query(Unit.id).filter_by(code=unit_code).scalar() if unit_code else None
        rows = monthly(year, unit_id, today)
        db.session.remove()
    return rows


def execution_totals(finance, year=YEAR, unit_code=None) -> dict:
    query = f"&unit={unit_code}" if unit_code else ""
    return support.get(finance, f"/api/v1/reports/execution?fiscal_year={year}&by=unit{query}")["totals"]


def month_of(paid_on: str) -> int:
    day = date.fromisoformat(paid_on)
    return 1 if day.year < YEAR else 12 if day.year > YEAR else day.month


def direct(officer, allocation, amount, voucher, paid_on):
    return spend(officer, entry(allocation, None, "direct", amount, voucher, paid_on=paid_on,
                                payee="Công ty in", description="In tờ gấp"))


def reverse(finance, expenditure_id):
    support.ok(finance.post(f"/api/v1/expenditures/{expenditure_id}/reverse", json={"reason": "Ghi nhầm"}), 200)


def figures_table(page: str) -> dict:
    """{month: (spent text, allocated in force text)} of the chart's table."""
    rows = re.findall(r'<tr data-testid="month-row" data-month="(\d+)"[^>]*>(.*?)</tr>', page, re.S)
    out = {}
    for month, body in rows:
        spent = re.search(r'data-testid="month-spent">([^<]*)<', body).group(1).strip()
        allocated = re.search(r'data-testid="month-allocated-to-date">([^<]*)<', body).group(1).strip()
        out[int(month)] = (spent, allocated)
    return out


def chart_html(page: str) -> str:
    start = page.index('data-testid="monthly-chart"')
    return page[start:page.index("</details>", start)]


# --- the figures -----------------------------------------------------------------------------

def test_each_month_holds_the_signed_amounts_posted_in_it(app, roles, spending):
    finance, unit = roles["finance"], roles["unit"]
    operations = spending.budget.allocation("unit", "operations")
    with at(date(YEAR, 3, 25)):
        march = direct(unit, operations, 4_000_000, "CT-T3", f"{YEAR}-03-20")
    with at(date(YEAR, 4, 20)):
        reverse(finance, march["id"])            # the reversal is dated the day it is made: April
    with at(date(YEAR, 9, 8)):
        direct(unit, operations, 2_500_000, "CT-T9", f"{YEAR}-09-05")

    expected = dict.fromkeys(range(1, 13), 0)
    expected[6] += 20_000_000 + 10_000_000 + 3_000_000 + 2_000_000   # the world's entries, all of 01/06
    expected[month_of(spending.reversal["paid_on"])] -= 10_000_000   # and the reversal of its payment
    expected[3] += 4_000_000
    expected[4] -= 4_000_000
    expected[9] += 2_500_000
    rows = months(app)
    assert {row["month"]: row["spent"] for row in rows} == expected
    running = 0
    for row in rows:
        running += row["spent"]
        assert row["spent_to_date"] == running and not row["future"]
    assert rows[-1]["spent_to_date"] == execution_totals(finance)["spent"] == spending.total_spent + 2_500_000

    stp = {row["month"]: row["spent"] for row in months(app, unit_code="STP")}
    assert (stp[3], stp[4], stp[9]) == (4_000_000, -4_000_000, 2_500_000)


def test_december_holds_the_dashboards_totals_with_adjustments_and_transfers(app, roles, spending):
    finance = roles["finance"]
    dic_press, stp_training = spending.budget.allocation("dic", "press"), spending.budget.allocation("unit", "training")
    with at(date(YEAR, 5, 12)):
        support.ok(support.adjustment(finance, stp_training, 50_000_000), 201)
    with at(date(YEAR, 7, 2)):
        support.ok(finance.post("/api/v1/transfers", json={
            "from_allocation_id": dic_press, "to_allocation_id": stp_training, "amount": 30_000_000,
            "decision_no": "77/QĐ-STC", "decision_date": f"{YEAR}-07-01", "reason": "Điều chỉnh dự toán"}), 201)

    province = months(app)
    totals = execution_totals(finance)
    assert (province[-1]["allocated_to_date"], province[-1]["spent_to_date"]) == (totals["allocated"], totals["spent"])
    # the world's allocations are decided on 15/03: nothing is in force before March
    assert [row["allocated_to_date"] for row in province[:2]] == [0, 0]
    assert province[2]["allocated_to_date"] == 11 * 500_000_000
    assert province[4]["allocated"] == 50_000_000 and province[6]["allocated"] == 0  # a transfer moves, adds nothing

    for code, in_july in (("STP", 30_000_000), (ROLE_PEOPLE["dic"][2], -30_000_000), ("ANNHON", 0)):
        rows, unit_totals = months(app, unit_code=code), execution_totals(finance, unit_code=code)
        assert rows[-1]["allocated_to_date"] == unit_totals["allocated"], code
        assert rows[-1]["spent_to_date"] == unit_totals["spent"], code
        assert rows[6]["allocated"] == in_july, code
    assert months(app, unit_code="STP")[4]["allocated"] == 50_000_000

    page = text(Browser(app, ROLE_PEOPLE["finance"][0]).get(f"/reports?fiscal_year={YEAR}"))
    assert re.search(r'data-testid="year-allocated">([^<]+)<', page).group(1) == \
        re.search(r'data-testid="total-allocated">([^<]+)<', page).group(1)
    assert re.search(r'data-testid="year-spent">([^<]+)<', page).group(1) == \
        re.search(r'data-testid="total-spent">([^<]+)<', page).group(1)


def test_a_closed_year_and_the_next_add_up_to_their_reports(app, roles, past_year):
    """What a close carries (the outstanding advance moves to the next year's allocation) and an
    entry dated after the year end (counted in December) keep December equal to the report."""
    finance = roles["finance"]
    support.ok(finance.post(f"/api/v1/years/{YEAR - 1}/close",
                            json={"decision_no": "215/STC-QLNS", "decision_date": f"{YEAR}-02-06"}), 200)
    for year in (YEAR - 1, YEAR):
        rows, totals = months(app, year), execution_totals(finance, year)
        assert (rows[-1]["allocated_to_date"], rows[-1]["spent_to_date"]) == (totals["allocated"], totals["spent"])
    # the carry-over allocation and the advance it holds count from the close's decision (06/02)
    february = months(app, YEAR)[1]
    assert (february["allocated"], february["spent"]) == (100_000_000, 20_000_000)


# --- the pages -------------------------------------------------------------------------------

def test_the_chart_and_its_figures_on_both_dashboards(app, roles, spending):
    with at(date(YEAR, 12, 20)):  # the whole year has begun (a browser logs in on the day it reads)
        finance = Browser(app, ROLE_PEOPLE["finance"][0])
        for path in (f"/reports?fiscal_year={YEAR}", f"/dashboard?year={YEAR}"):
            response = finance.get(path)
            assert response.status_code == 200, path
            page = text(response)
            chart = chart_html(page)
            assert chart.count('role="img"') == 2 and "<title id=" in chart and "<desc id=" in chart
            assert 'aria-labelledby="monthly-chart-wide-title monthly-chart-wide-desc"' in chart
            assert 'viewBox="0 0 340 250" width="100%"' in chart
            assert "style=" not in chart and "<script" not in chart and not re.search(r"\son[a-z]+=", chart)
            assert "Số liệu theo tháng" in chart and 'data-testid="monthly-chart-bar"' in chart
            table = figures_table(page)
            assert sorted(table) == list(range(1, 13))
            assert table[6][0] == "35.000.000 ₫"
            assert table[12][1] == re.search(r'data-testid="total-(?:allocated|amount)">([^<]+)<', page).group(1)
            assert ">T1<" in chart and ">T12<" in chart


def test_a_unit_sees_only_its_own_spending(app, roles, spending):
    other = spending.budget.allocation("other_unit", "training")
    direct(roles["other_unit"], other, 7_000_000, "CT-AN-T10", f"{YEAR}-10-10")
    with at(date(YEAR, 12, 20)):
        for who, june, october, allocated in (("unit", "13.000.000 ₫", "0 ₫", "2.500.000.000 ₫"),
                                              ("other_unit", "2.000.000 ₫", "7.000.000 ₫", "500.000.000 ₫")):
            reader = Browser(app, ROLE_PEOPLE[who][0])
            for path in (f"/reports?fiscal_year={YEAR}", f"/dashboard?year={YEAR}"):
                table = figures_table(text(reader.get(path)))
                assert (table[6][0], table[10][0], table[12][1]) == (june, october, allocated), (who, path)


def test_the_months_to_come_are_not_drawn_as_zero(app, roles, spending):
    with at(date(YEAR, 8, 15)):
        page = text(Browser(app, ROLE_PEOPLE["finance"][0]).get(f"/reports?fiscal_year={YEAR}"))
    chart = chart_html(page)
    future = re.findall(r'data-month="(\d+)" data-future="1"', page)
    assert future == ["9", "10", "11", "12"]
    assert 'data-testid="monthly-chart-future"' in chart and "Chưa đến" in chart
    assert figures_table(page)[9][0] == "Chưa đến"
    bars = {int(m) for m in re.findall(r'data-month="(\d+)" data-testid="monthly-chart-bar"', chart)}
    assert bars and max(bars) <= 8


def test_an_empty_year_draws_its_axes(app, roles):
    finance = Browser(app, ROLE_PEOPLE["finance"][0])
    for path in (f"/reports?fiscal_year={YEAR - 1}", f"/dashboard?year={YEAR - 1}"):
        response = finance.get(path)
        assert response.status_code == 200, path
        page = text(response)
        assert 'data-testid="monthly-chart-empty"' in page and 'data-testid="monthly-chart-bar"' not in page
        assert set(value for value, _ in figures_table(page).values()) == {"0 ₫"}
    assert all(row["spent"] == row["allocated_to_date"] == 0 for row in months(app, YEAR - 1))


def test_one_statement_whatever_the_number_of_entries(app, roles, spending):
    finance = Browser(app, ROLE_PEOPLE["finance"][0])
    path = f"/reports?fiscal_year={YEAR}"

    def counted():
        with CountedStatements(app) as statements:
            assert finance.get(path).status_code == 200
        with app.app_context(), CountedStatements(app) as alone:
            monthly(YEAR, None, YEAR_END)
            db.session.remove()
        return len(statements), len(alone)

    few = counted()
    operations = spending.budget.allocation("unit", "operations")
    for month in range(1, 12):
        direct(roles["unit"], operations, 100_000 * month, f"CT-N{month}", f"{YEAR}-{month:02d}-03")
    assert counted() == few and few[1] == 1


def test_amounts_shortened_for_the_axis():
    assert [short_money(n, "vi") for n in (0, 350_000_000, 1_200_000_000, 1_250_000_000, 2_500_000, 12_000)] == [
        "0", "350 tr", "1,2 tỷ", "1,25 tỷ", "2,5 tr", "12 nghìn"]
    assert [short_money(n, "en") for n in (350_000_000, 1_200_000_000, 1_250_000_000_000)] == [
        "350 m", "1.2 bn", "1,250 bn"]
