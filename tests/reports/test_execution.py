"""The execution report (DESIGN §6): allocated, committed, spent, available and the execution rate
per unit, category or envelope, with totals; a unit sees only its own rows."""
import pytest

from tests import support
from tests.reports.builders import YEAR

PATH = f"/api/v1/reports/execution?fiscal_year={YEAR}"


def rows(report):
    return {item["key"]: item for item in report["items"]}


def test_by_unit_the_figures_follow_the_balances(spending, roles):
    report = support.get(roles["finance"], PATH + "&by=unit")
    by_unit = rows(report)
    assert set(by_unit) == {"SVHTTDL", "STP", "ANNHON"}
    dic = by_unit["SVHTTDL"]
    # five allocations of 500,000,000; the press commission (20,000,000) fully paid; one proposed
    # commission holds nothing until approved
    assert dic["allocated"] == 2_500_000_000 and dic["spent"] == 20_000_000 and dic["committed"] == 0
    assert dic["available"] == dic["allocated"] - dic["committed"] - dic["spent"]
    assert dic["execution_rate"] == 0.8
    stp = by_unit["STP"]
    # the training commission (20,000,000) is committed; its payment was reversed
    assert stp["committed"] == 20_000_000 and stp["spent"] == 3_000_000
    assert by_unit["ANNHON"] == {"key": "ANNHON", "name": by_unit["ANNHON"]["name"], "allocated": 500_000_000,
                                 "transferred": 0, "carried_in": 0, "committed": 0, "spent": 2_000_000,
                                 "carried_over": 0, "cancelled": 0, "available": 498_000_000,
                                 "execution_rate": 0.4}
    totals = report["totals"]
    for field in ("allocated", "transferred", "committed", "spent", "available"):
        assert totals[field] == sum(item[field] for item in report["items"])
    assert totals["spent"] == spending.total_spent


def test_by_category_and_by_envelope_total_the_same(spending, roles):
    by_unit = support.get(roles["auditor"], PATH + "&by=unit")["totals"]
    by_category = support.get(roles["auditor"], PATH + "&by=category")
    by_envelope = support.get(roles["auditor"], PATH + "&by=envelope")
    assert by_category["totals"] == by_unit == by_envelope["totals"]
    categories = rows(by_category)
    assert categories["press"]["spent"] == 20_000_000 and categories["press"]["name"] == "Đặt hàng báo chí"
    assert categories["operations"]["spent"] == 3_000_000
    assert len(by_envelope["items"]) == 1


def test_names_follow_the_language(spending, roles):
    report = support.get(roles["auditor"], PATH + "&by=category&lang=en")
    assert rows(report)["press"]["name"] != "Đặt hàng báo chí"


def test_a_unit_sees_its_own_rows_only(spending, roles):
    report = support.get(roles["unit"], PATH + "&by=unit")
    assert [item["key"] for item in report["items"]] == ["STP"]
    assert report["totals"]["spent"] == 3_000_000
    assert roles["unit"].get(PATH + "&unit=SVHTTDL").status_code == 422
    assert support.get(roles["unit"], PATH + "&unit=STP")["totals"]["spent"] == 3_000_000


def test_finance_may_look_at_one_unit(spending, roles):
    report = support.get(roles["finance"], PATH + "&by=category&unit=SVHTTDL")
    assert report["totals"]["spent"] == 20_000_000


def test_a_year_without_money_gives_empty_rows_and_zero_totals(roles):
    report = support.get(roles["finance"], "/api/v1/reports/execution?fiscal_year=2031")
    assert report["items"] == []
    assert report["totals"] == {"allocated": 0, "transferred": 0, "carried_in": 0, "committed": 0, "spent": 0,
                                "carried_over": 0, "cancelled": 0, "available": 0,
                                "execution_rate": 0.0}


@pytest.mark.parametrize("query, field", [("by=supplier", "by"), ("fiscal_year=20261", "fiscal_year"),
                                          ("fiscal_year=", "fiscal_year"), ("unit=" + "X" * 300, "unit"),
                                          ("unit=NOPE", "unit")])
def test_bad_arguments_name_the_field(roles, query, field):
    response = roles["finance"].get(f"/api/v1/reports/execution?{query}")
    assert response.status_code == 422
    assert field in response.get_json()["details"]


def test_who_reads_it(roles):
    assert roles["anonymous"].get(PATH).status_code == 401
    assert roles["admin"].get(PATH).status_code == 403
    for reader in ("finance", "auditor", "unit", "dic", "other_unit"):
        assert roles[reader].get(PATH).status_code == 200


def test_rates_round_half_up_from_integers():
    from reports.queries import execution_rate
    assert execution_rate(1, 3) == 33.33
    assert execution_rate(2, 3) == 66.67
    assert execution_rate(1, 8) == 12.5
    assert execution_rate(1, 20000) == 0.01  # 0.005 % rounds up
    assert execution_rate(1, 200001) == 0.0
    assert execution_rate(10**15 - 1, 10**15) == 100.0
    assert execution_rate(0, 0) == 0.0
