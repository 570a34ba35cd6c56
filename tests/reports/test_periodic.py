"""The DIC's periodic report (issue 21 item 2): `GET /api/v1/reports/periodic` and `/reports/periodic`.

The `spending` world (tests/fixtures/spending.py): allocations and signed contracts dated in the first
quarter, deliverables accepted and money paid in the second, and STP's payment reversed today."""
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from reports.periodic import period_bounds
from tests import support
from tests.commissions import builders
from tests.reports.builders import YEAR, entry, spend
from tests.support import ROLE_PEOPLE, Browser, text

PATH = f"/api/v1/reports/periodic?fiscal_year={YEAR}"
VN = ZoneInfo("Asia/Ho_Chi_Minh")


def report(client, period, year=YEAR):
    return support.get(client, f"/api/v1/reports/periodic?fiscal_year={year}&period={period}")


def units(body) -> dict:
    return {row["unit"]["code"]: row for row in body["units"]}


def test_each_quarter_counts_what_is_dated_in_it(spending, roles):
    finance = roles["finance"]
    q1 = report(finance, "q1")
    assert q1["period"] == {"code": "q1", "label": "Quý I", "start": f"{YEAR}-01-01", "end": f"{YEAR}-03-31",
                            "until": f"{YEAR}-03-31", "until_today": False, "started": True}
    by_unit = units(q1)
    assert set(by_unit) == {"SVHTTDL", "STP", "ANNHON"}
    assert (by_unit["STP"]["commissions"], by_unit["STP"]["commissioned"]) == (1, 20_000_000)
    assert q1["totals"]["deliverables"] == 0 and q1["totals"]["spent"] == 0
    q2 = report(finance, "q2")
    by_unit = units(q2)
    # the DIC's two tv segments (2 × 2 accepted) and STP's first course (2 people) accepted in May
    assert {k["kind"]: k["accepted_quantity"] for k in by_unit["SVHTTDL"]["kinds"]} == {"tv_segment": 4}
    assert (by_unit["STP"]["courses"], by_unit["STP"]["people_trained"]) == (1, 2)
    assert q2["totals"]["people_trained"] == 2 and q2["totals"]["accepted_value"] == 30_000_000
    assert q2["totals"]["topics"] == [{"code": "chuyen_doi_so", "name": "Chuyển đổi số", "deliverables": 3,
                                       "accepted_value": 30_000_000}]
    assert by_unit["STP"]["spent"] == 13_000_000  # paid in the quarter; reversed on a later day
    # the half is the sum of its quarters; the totals the sum of the units
    h1 = report(finance, "h1")
    for name in ("allocated", "commissioned", "accepted_value", "people_trained", "spent"):
        assert h1["totals"][name] == q1["totals"][name] + q2["totals"][name], name
        assert h1["totals"][name] == sum(row[name] for row in h1["units"]), name


def test_the_year_so_far_nets_the_reversal_and_matches_the_ledger(spending, roles):
    body = report(roles["finance"], "year")
    assert body["period"]["until_today"] is True  # the tests run during the year they build
    assert {code: row["spent"] for code, row in units(body).items()} == spending.spent_by_unit
    assert body["totals"]["spent"] == spending.total_spent


def test_the_dic_sums_up_the_province_as_finance_does(spending, roles):
    """Units report to the department that manages the press, which sums up for the province."""
    assert report(roles["dic"], "year") == report(roles["finance"], "year")
    assert {row["unit"]["code"] for row in report(roles["dic"], "year")["units"]} >= {"STP", "ANNHON", "SVHTTDL"}


def test_a_unit_reads_its_own_row_with_zeros_when_it_has_nothing(spending, roles):
    stp = report(roles["unit"], "q3")
    assert [row["unit"]["code"] for row in stp["units"]] == ["STP"]
    (row,) = stp["units"]
    assert all(row[name] == 0 for name in ("requests", "allocations", "commissions", "deliverables", "spent"))
    assert row["kinds"] == [] and row["topics"] == []
    assert report(roles["finance"], "q3")["units"] == []  # the province lists the units with something
    assert roles["admin"].get(PATH).status_code == 403
    assert roles["anonymous"].get(PATH).status_code == 401


def test_the_focal_contact_is_the_units(spending, roles):
    support.ok(roles["admin"].patch("/api/v1/units/STP", json={
        "contact_name": "Nguyễn Văn An", "contact_phone": "0269 3822 111", "contact_email": "an@stp.gialai.gov.vn"}),
        200)
    (row,) = report(roles["unit"], "q2")["units"]
    assert row["contact"] == {"name": "Nguyễn Văn An", "phone": "0269 3822 111", "email": "an@stp.gialai.gov.vn"}


@pytest.mark.parametrize("query, field", [("&period=q5", "period"), ("&period=", "period"),
                                          ("&fiscal_year=1999", "fiscal_year"), ("&fiscal_year=2101", "fiscal_year"),
                                          ("&fiscal_year=abc", "fiscal_year")])
def test_bad_input_is_a_422_naming_the_field(roles, query, field):
    response = roles["finance"].get(f"/api/v1/reports/periodic?{query.lstrip('&')}")
    assert response.status_code == 422
    body = response.get_json()
    assert body["error"] == "validation_error" and field in body["details"]


def test_the_statements_are_the_same_for_one_unit_or_many(app, roles, budget):
    dic, finance = roles["dic"], roles["finance"]
    press = budget.allocation("dic", "press")

    def bought(n):
        supplier = builders.supplier(finance, kind="press", name=f"Báo định kỳ {n}")["id"]
        commission = builders.signed_commission(finance, dic, press, supplier, topic=f"Chủ đề {n}")
        first = commission["deliverables"][0]["id"]
        builders.deliver(dic, first)
        builders.accept(dic, first, record_no=f"BB-P-{n}")
        spend(dic, entry(press, commission["id"], "payment", 10_000_000, f"TT-P-{n}",
                         deliverables=[{"deliverable_id": first, "amount": 10_000_000}]))

    bought(1)
    support.ok(roles["unit"].post("/api/v1/commissions", json=builders.commission_body(
        budget.allocation("unit", "training"), budget.supplier_for("training"), category="training")), 201)
    counts = {}
    for period in ("q2", "year"):
        counts[period], _ = support.statements_for(app, finance, f"{PATH}&period={period}")
    assert report_statements(app, "year") == 7  # the report's own, beside the request's token check
    for n in range(2, 6):
        bought(n)
    for period, one in counts.items():
        many, body = support.statements_for(app, finance, f"{PATH}&period={period}")
        assert many == one, period
    assert body["totals"]["deliverables"] == 5
    assert report_statements(app, "year") == report_statements(app, "year", unit_id=1) == 7


def report_statements(app, period, unit_id=None) -> int:
    from reports.periodic import periodic
    with app.app_context():
        with support.CountedStatements(app) as statements:
            periodic(YEAR, period, unit_id)
        app_db_remove()
    return len(statements)


def app_db_remove():
    from app.extensions import db
    db.session.remove()


# --- the year's edges, in Việt Nam -----------------------------------------------------------------

def vn(day: date, hour: int, minute: int = 0):
    return time_machine.travel(datetime(day.year, day.month, day.day, hour, minute, tzinfo=VN), tick=False)


def test_a_period_not_ended_is_counted_to_today_in_viet_nam():
    with vn(date(YEAR, 12, 31), 23, 30):  # 16:30 UTC
        year = period_bounds(YEAR, "year")
        assert (year["until"], year["until_today"]) == (date(YEAR, 12, 31), False)  # its last day: ended with it
        assert period_bounds(YEAR, "q4")["until"] == date(YEAR, 12, 31)
        assert period_bounds(YEAR + 1, "q1")["started"] is False
    with vn(date(YEAR, 12, 30), 23, 59):
        year = period_bounds(YEAR, "year")
        assert (year["until"], year["until_today"]) == (date(YEAR, 12, 30), True)
    # 00:30 on 1 January in Việt Nam is still 31 December in UTC
    with time_machine.travel(datetime(YEAR, 12, 31, 17, 30, tzinfo=UTC), tick=False):
        q1 = period_bounds(YEAR + 1, "q1")
        assert (q1["start"], q1["until"], q1["until_today"], q1["started"]) == (
            date(YEAR + 1, 1, 1), date(YEAR + 1, 1, 1), True, True)
        assert period_bounds(YEAR, "h2")["until_today"] is False
    for period, (start, end) in {"q2": ((4, 1), (6, 30)), "q3": ((7, 1), (9, 30)), "h2": ((7, 1), (12, 31))}.items():
        bounds = period_bounds(YEAR - 1, period)
        assert (bounds["start"], bounds["end"]) == (date(YEAR - 1, *start), date(YEAR - 1, *end))
    assert period_bounds(2028, "q1")["end"] == date(2028, 3, 31) and period_bounds(2028, "h1")["end"] - timedelta(
        days=1) == date(2028, 6, 29)


# --- the page ---------------------------------------------------------------------------------------

def test_the_page_shows_the_period_its_units_and_an_empty_state(app, spending, roles):
    finance = Browser(app, ROLE_PEOPLE["finance"][0])
    page = text(finance.get(f"/reports/periodic?fiscal_year={YEAR}&period=q2"))
    assert "chính sách Quý II năm" in page and "01/04/" + str(YEAR) in page
    assert page.count('data-testid="periodic-row"') == 3 and "Người được bồi dưỡng" in page
    assert 'data-code="chuyen_doi_so"' in page
    assert 'data-testid="until-today"' in text(finance.get(f"/reports/periodic?fiscal_year={YEAR}&period=year"))
    empty = text(finance.get(f"/reports/periodic?fiscal_year={YEAR}&period=q3"))
    assert 'data-testid="empty-report"' in empty
    bad = finance.get(f"/reports/periodic?fiscal_year={YEAR}&period=q9")
    assert bad.status_code == 422 and 'data-field-error="period"' in text(bad)
    unit = text(Browser(app, ROLE_PEOPLE["unit"][0]).get(f"/reports/periodic?fiscal_year={YEAR}&period=q3"))
    assert unit.count('data-testid="periodic-row"') == 1 and "Sở Tư pháp" in unit
    assert Browser(app, ROLE_PEOPLE["admin"][0]).get("/reports/periodic").status_code == 403


# --- the workbook and the PDF ---------------------------------------------------------------------

def test_the_workbook_and_the_pdf_say_the_same_in_vietnamese(app, spending, roles):
    import io

    import openpyxl

    from tests.pdftext import pdf_text
    support.ok(roles["admin"].patch("/api/v1/units/STP", json={"contact_name": "=HYPERLINK(\"http://x\")"}), 200)
    finance = Browser(app, ROLE_PEOPLE["finance"][0])
    response = finance.get(f"/reports/periodic.xlsx?fiscal_year={YEAR}&period=q2")
    assert response.status_code == 200 and "bao-cao-dinh-ky-2026-q2.xlsx" in response.headers["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["Theo đơn vị", "Theo loại sản phẩm", "Theo chủ đề"]
    sheet = book["Theo đơn vị"]
    assert sheet["A1"].value.startswith("Báo cáo định kỳ") and sheet["A1"].value.endswith("quý II năm 2026")
    rows = {row[0]: row for row in sheet.iter_rows(min_row=6, values_only=True)}
    assert rows["STP"][2] == "'=HYPERLINK(\"http://x\")"  # a formula-like text is written as text
    assert rows["STP"][14] == 2 and rows["STP"][15] == 13_000_000 and rows["Cộng"][15] == 35_000_000
    pdf = finance.get(f"/reports/periodic.pdf?fiscal_year={YEAR}&period=q2")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    words = pdf_text(pdf.data)
    for expected in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "BÁO CÁO", "quý II năm 2026", "Sở Tư pháp",
                     "Chuyển đổi số", "35.000.000", "GIÁM ĐỐC SỞ"):
        assert expected in words, expected
    unit = Browser(app, ROLE_PEOPLE["unit"][0]).get(f"/reports/periodic.xlsx?fiscal_year={YEAR}&period=q2")
    unit_rows = [r[0] for r in openpyxl.load_workbook(io.BytesIO(unit.data))["Theo đơn vị"].iter_rows(
        min_row=6, values_only=True)]
    assert unit_rows == ["STP", "Cộng"]
    assert finance.get(f"/reports/periodic.pdf?fiscal_year={YEAR}&period=x").status_code == 422
