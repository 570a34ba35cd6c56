"""Red flags (issue 11, item 5): one world per flag in which exactly that flag is raised for the right
record, clean data that raises none, who sees which flags, and a fixed number of SQL statements.

The clock is moved with `find(..., today=...)`; the API reads today's date, so its tests only assume
that today is past the fixture's dates (the last quarter of YEAR or later)."""
from datetime import date

import pytest

from app.core.money import format_vnd
from app.extensions import db
from reports import flags
from tests import support
from tests.commissions import builders
from tests.reports.builders import entry, spend

YEAR = support.YEAR
LATE = f"{YEAR}-12-31"  # a due date no test clock reaches


def on(day: str) -> date:
    return date.fromisoformat(day)


def find(app, today, unit_id=None, year=YEAR):
    with app.app_context():
        try:
            return flags.find(year, unit_id, today=on(today))
        finally:
            db.session.remove()


def found(items):
    return [(item["code"], item["entity"], item["entity_id"]) for item in items]


def unit_ids(finance):
    return {unit["code"]: unit["id"] for unit in support.get(finance, "/api/v1/units?per_page=200")["items"]}


def direct(officer, allocation, amount, voucher, paid_on=f"{YEAR}-06-01", document=True):
    spent = spend(officer, entry(allocation, None, "direct", amount, voucher, paid_on=paid_on,
                                 payee="Nhà in Gia Lai", description="In tờ rơi"))
    if document:
        support.ok(builders.upload_to(officer, f"/api/v1/expenditures/{spent['id']}/documents"), 201)
    return spent


def signed(roles, budget, *items, signed_on=f"{YEAR}-02-01", owner="dic", category="press"):
    officer, finance = roles[owner], roles["finance"]
    allocation = budget.allocation(owner, category)
    items = items or (builders.item("Sản phẩm 1", builders.KIND_FOR[category], due_date=LATE),
                      builders.item("Sản phẩm 2", builders.KIND_FOR[category], due_date=LATE))
    commission = builders.propose(officer, allocation, budget.supplier_for(category), *items, category=category)
    builders.approve(finance, commission["id"])
    return builders.sign(officer, commission["id"], signed_on=signed_on)


def busy(roles, budget, **kw):
    """A signed commission at work: its first deliverable delivered (awaiting acceptance) soon after
    signing, the others due at the year end. On its own it raises no flag."""
    commission = signed(roles, budget, **kw)
    builders.deliver(roles[kw.get("owner", "dic")], commission["deliverables"][0]["id"], delivered_on=f"{YEAR}-02-15")
    return commission


def deliverable_ids(commission):
    return [d["id"] for d in commission["deliverables"]]


# --- each flag on its own ------------------------------------------------------------------

def test_direct_spending_without_a_document_is_flagged(app, roles, budget):
    unit, finance = roles["unit"], roles["finance"]
    operations = budget.allocation("unit", "operations")
    bare = direct(unit, operations, 3_000_000, "CT-01", document=False)
    direct(unit, operations, 4_000_000, "CT-02")
    mistaken = direct(unit, operations, 5_000_000, "CT-03", document=False)
    support.ok(finance.post(f"/api/v1/expenditures/{mistaken['id']}/reverse", json={"reason": "Ghi nhầm"}), 200)

    items = find(app, f"{YEAR}-07-01")

    assert found(items) == [("direct_without_document", "expenditure", bare["id"])]
    item = items[0]
    assert item["severity"] == "high" and item["unit_code"] == "STP"
    assert item["amount"] == 3_000_000 and item["since"] == on(f"{YEAR}-06-01") and item["days"] == 30
    assert bare["number"] in item["reference"] and "CT-01" in item["reference"]
    assert format_vnd(3_000_000) in item["message"] and "01/06/2026" in item["message"]
    assert item["label"] == "Chi trực tiếp chưa có chứng từ"
    assert find(app, f"{YEAR}-05-31") == []  # not yet spent on that day


def test_owed_deliverables_past_their_due_date_are_flagged(app, roles, budget):
    dic = roles["dic"]
    due = f"{YEAR}-06-30"
    commission = signed(roles, budget, builders.item("Phóng sự A", due_date=due),
                        builders.item("Phóng sự B", due_date=due), builders.item("Phóng sự C", due_date=due),
                        builders.item("Phóng sự D", due_date=LATE))
    planned, rejected, delivered, not_due = deliverable_ids(commission)
    builders.deliver(dic, rejected, delivered_on=f"{YEAR}-03-01")
    builders.reject_delivery(dic, rejected)
    builders.deliver(dic, delivered, delivered_on=f"{YEAR}-03-01")

    assert find(app, due) == []
    items = find(app, f"{YEAR}-07-10")

    assert found(items) == [("deliverable_overdue", "deliverable", planned),
                            ("deliverable_overdue", "deliverable", rejected)]
    first = items[0]
    assert first["severity"] == "medium" and first["unit_code"] == "SVHTTDL"
    assert first["amount"] == 10_000_000 and first["since"] == on(due) and first["days"] == 10
    assert commission["number"] in first["reference"] and "Phóng sự A" in first["reference"]
    assert "10 ngày" in first["message"] and format_vnd(10_000_000) in first["message"]


def test_deliverables_accepted_over_30_days_ago_and_not_fully_paid_are_flagged(app, roles, budget):
    dic = roles["dic"]
    allocation = budget.allocation("dic", "press")
    commission = signed(roles, budget, builders.item("Phóng sự A", due_date=LATE),
                        builders.item("Phóng sự B", due_date=LATE), builders.item("Phóng sự C", due_date=LATE))
    part_paid, just_accepted, fully_paid = deliverable_ids(commission)
    today = f"{YEAR}-07-01"
    for deliverable, accepted_on in ((part_paid, f"{YEAR}-05-02"), (just_accepted, f"{YEAR}-06-01"),
                                     (fully_paid, f"{YEAR}-05-02")):
        builders.deliver(dic, deliverable, delivered_on=f"{YEAR}-04-20")
        builders.accept(dic, deliverable, accepted_on=accepted_on, record_no=f"BB-{deliverable}")
    spend(dic, entry(allocation, commission["id"], "payment", 14_000_000, "TT-01",
                     deliverables=[{"deliverable_id": part_paid, "amount": 4_000_000},
                                   {"deliverable_id": fully_paid, "amount": 10_000_000}]))

    items = find(app, today)  # the second was accepted exactly 30 days ago: not yet

    assert found(items) == [("accepted_unpaid", "deliverable", part_paid)]
    item = items[0]
    assert item["severity"] == "medium" and item["amount"] == 6_000_000
    assert item["since"] == on(f"{YEAR}-05-02") and item["days"] == 60
    assert format_vnd(6_000_000) in item["message"]
    assert [i["entity_id"] for i in find(app, f"{YEAR}-07-02")] == [part_paid, just_accepted]


def test_advances_outstanding_over_90_days_are_flagged(app, roles, budget):
    dic, finance = roles["dic"], roles["finance"]
    allocation = budget.allocation("dic", "press")
    old = busy(roles, budget)
    renewed = busy(roles, budget)
    undone = busy(roles, budget)
    spend(dic, entry(allocation, old["id"], "advance", 5_000_000, "TU-01", paid_on=f"{YEAR}-02-10"))
    # settled in February, advanced again in June: what is outstanding is only 11 days old
    spend(dic, entry(allocation, renewed["id"], "advance", 3_000_000, "TU-02", paid_on=f"{YEAR}-02-10"))
    spend(dic, entry(allocation, renewed["id"], "recovery", 3_000_000, "TH-02", paid_on=f"{YEAR}-02-20"))
    spend(dic, entry(allocation, renewed["id"], "advance", 2_000_000, "TU-03", paid_on=f"{YEAR}-06-20"))
    wrong = spend(dic, entry(allocation, undone["id"], "advance", 4_000_000, "TU-04", paid_on=f"{YEAR}-02-10"))
    support.ok(finance.post(f"/api/v1/expenditures/{wrong['id']}/reverse", json={"reason": "Tạm ứng nhầm"}), 200)

    items = find(app, f"{YEAR}-07-01")

    assert found(items) == [("advance_outstanding", "commission", old["id"])]
    item = items[0]
    assert item["severity"] == "high" and item["reference"] == old["number"]
    assert item["amount"] == 5_000_000 and item["since"] == on(f"{YEAR}-02-10") and item["days"] == 141
    assert format_vnd(5_000_000) in item["message"] and "10/02/2026" in item["message"]
    assert find(app, f"{YEAR}-05-11") == []  # 90 days exactly: not yet
    assert {i["entity_id"] for i in find(app, f"{YEAR}-09-20")} == {old["id"], renewed["id"]}


def test_signed_commissions_with_nothing_delivered_are_flagged(app, roles, budget):
    dic = roles["dic"]
    idle = signed(roles, budget, signed_on=f"{YEAR}-02-01")
    recent = signed(roles, budget, signed_on=f"{YEAR}-02-10")
    tried = signed(roles, budget, signed_on=f"{YEAR}-02-01")  # delivered once, rejected: not idle
    builders.deliver(dic, tried["deliverables"][0]["id"], delivered_on=f"{YEAR}-02-20")
    builders.reject_delivery(dic, tried["deliverables"][0]["id"])

    items = find(app, f"{YEAR}-03-05")

    assert found(items) == [("signed_nothing_delivered", "commission", idle["id"])]
    item = items[0]
    assert item["severity"] == "low" and item["reference"] == idle["number"]
    assert item["amount"] == 20_000_000 and item["since"] == on(f"{YEAR}-02-01") and item["days"] == 32
    assert "32 ngày" in item["message"]
    assert find(app, f"{YEAR}-03-03") == []  # 30 days exactly: not yet
    assert found(find(app, f"{YEAR}-03-13")) == [("signed_nothing_delivered", "commission", idle["id"]),
                                                 ("signed_nothing_delivered", "commission", recent["id"])]


def test_allocations_spent_under_half_are_flagged_in_the_last_quarter(app, roles):
    finance, unit, other = roles["finance"], roles["unit"], roles["other_unit"]
    envelope = support.envelope(finance, 1_000_000_000)["id"]
    half = support.allocation(finance, envelope, "STP", 100_000_000, category="operations", decision_no="10/QĐ-STC")
    under = support.allocation(finance, envelope, "ANNHON", 100_000_000, category="training", decision_no="11/QĐ-STC")
    direct(unit, half["id"], 50_000_000, "CT-01")
    direct(other, under["id"], 49_999_999, "CT-02")

    assert find(app, f"{YEAR}-09-30") == []
    items = find(app, f"{YEAR}-10-01")

    assert found(items) == [("low_execution", "allocation", under["id"])]
    item = items[0]
    assert item["severity"] == "medium" and item["unit_code"] == "ANNHON"
    assert item["amount"] == 50_000_001 and item["since"] == on(f"{YEAR}-10-01") and item["days"] is None
    assert "11/QĐ-STC" in item["reference"]
    assert format_vnd(49_999_999) in item["message"] and "49%" in item["message"]
    assert found(find(app, f"{YEAR + 1}-02-01")) == found(items)  # the year is over
    assert find(app, f"{YEAR + 1}-02-01", year=YEAR + 1) == []


# --- clean data, order, scope ------------------------------------------------------------------

def test_clean_data_raises_no_flag(app, roles, budget):
    dic, unit = roles["dic"], roles["unit"]
    allocation = budget.allocation("dic", "press")
    commission = signed(roles, budget, builders.item("Phóng sự A", due_date=f"{YEAR}-06-30"),
                        builders.item("Phóng sự B", due_date=f"{YEAR}-06-30"))
    first, second = deliverable_ids(commission)
    spend(dic, entry(allocation, commission["id"], "advance", 5_000_000, "TU-01", paid_on=f"{YEAR}-02-10"))
    for deliverable in (first, second):
        builders.deliver(dic, deliverable, delivered_on=f"{YEAR}-05-01")
        builders.accept(dic, deliverable, accepted_on=f"{YEAR}-05-02", record_no=f"BB-{deliverable}")
    spend(dic, entry(allocation, commission["id"], "payment", 15_000_000, "TT-01", paid_on=f"{YEAR}-05-10",
                     advance_applied=5_000_000, deliverables=[{"deliverable_id": first, "amount": 10_000_000},
                                                              {"deliverable_id": second, "amount": 10_000_000}]))
    direct(unit, budget.allocation("unit", "operations"), 3_000_000, "CT-01")

    assert find(app, f"{YEAR}-09-30") == []


def test_items_are_ordered_by_severity_code_and_record_number(app, spending):
    items = find(app, f"{YEAR}-10-01")
    order = [(flags.SEVERITY_ORDER[i["severity"]], i["code"]) for i in items]
    assert order == sorted(order)
    for code in {i["code"] for i in items}:  # each code's records by their numbers
        numbers = [i["reference"].split(" ")[0] for i in items if i["code"] == code]
        assert numbers == sorted(numbers)
    assert {i["code"] for i in items} == {"direct_without_document", "accepted_unpaid", "deliverable_overdue",
                                          "low_execution"}
    assert set(items[0]) == {"code", "label", "severity", "entity", "entity_id", "unit_code", "reference",
                             "amount", "since", "days", "message"}


def test_a_unit_sees_its_own_flags_only(app, roles, spending):
    ids = unit_ids(roles["finance"])
    province = find(app, f"{YEAR}-07-01")
    stp = find(app, f"{YEAR}-07-01", unit_id=ids["STP"])
    assert {i["unit_code"] for i in province} == {"STP", "ANNHON"}
    assert stp == [i for i in province if i["unit_code"] == "STP"]
    assert found(stp) == [("direct_without_document", "expenditure", spending.direct["id"]),
                          ("accepted_unpaid", "deliverable", spending.training["deliverables"][0]["id"]),
                          ("deliverable_overdue", "deliverable", spending.training["deliverables"][1]["id"])]


# --- the API -----------------------------------------------------------------------------------

@pytest.fixture
def past_the_fixture_dates():
    if date.today() < date(YEAR, 10, 1):
        pytest.skip("the API reads today's date; these expectations hold from 1 October of the fixture year")


def api_flags(client, year=YEAR):
    body = support.get(client, f"/api/v1/reports/flags?fiscal_year={year}")
    assert body["fiscal_year"] == year and body["total"] == len(body["items"])
    return body["items"]


def test_the_api_answers_the_flags_of_what_the_reader_may_see(app, roles, spending, past_the_fixture_dates):
    ids = unit_ids(roles["finance"])
    everything = api_flags(roles["auditor"])
    assert api_flags(roles["finance"]) == everything
    with app.app_context():
        expected = flags.find(YEAR, None)
        stp_expected = flags.find(YEAR, ids["STP"])
    as_json = [{**i, "since": i["since"].isoformat()} for i in expected]
    assert everything == as_json
    stp = api_flags(roles["unit"])
    assert {i["unit_code"] for i in stp} == {"STP"}
    assert stp == [{**i, "since": i["since"].isoformat()} for i in stp_expected]
    assert {(i["code"], i["entity_id"]) for i in stp if i["code"] != "low_execution"} == {
        ("direct_without_document", spending.direct["id"]),
        ("accepted_unpaid", spending.training["deliverables"][0]["id"]),
        ("deliverable_overdue", spending.training["deliverables"][1]["id"])}
    annhon = api_flags(roles["other_unit"])
    assert {i["unit_code"] for i in annhon} == {"ANNHON"}
    assert ("direct_without_document", spending.other_direct["id"]) in {(i["code"], i["entity_id"]) for i in annhon}
    assert {i["unit_code"] for i in api_flags(roles["dic"])} <= {"SVHTTDL"}


def test_admins_are_refused_and_strangers_must_sign_in(roles):
    assert roles["admin"].get(f"/api/v1/reports/flags?fiscal_year={YEAR}").status_code == 403
    assert roles["anonymous"].get(f"/api/v1/reports/flags?fiscal_year={YEAR}").status_code == 401


def one_of_each(roles, budget, voucher):
    """One more record for each flag (as of any day from 1 October YEAR on)."""
    dic, unit = roles["dic"], roles["unit"]
    allocation = budget.allocation("dic", "press")
    direct(unit, budget.allocation("unit", "operations"), 1_000_000, f"CT-{voucher}", document=False)
    overdue = signed(roles, budget, builders.item("Quá hạn", due_date=f"{YEAR}-06-30"),
                     builders.item("Đã giao", due_date=LATE))
    builders.deliver(dic, overdue["deliverables"][1]["id"], delivered_on=f"{YEAR}-03-01")
    unpaid = busy(roles, budget)
    builders.accept(dic, unpaid["deliverables"][0]["id"], accepted_on=f"{YEAR}-03-01", record_no=f"BB-{voucher}")
    advanced = busy(roles, budget)
    spend(dic, entry(allocation, advanced["id"], "advance", 1_000_000, f"TU-{voucher}", paid_on=f"{YEAR}-02-10"))
    signed(roles, budget)


def test_the_number_of_statements_does_not_grow_with_the_flags(app, roles, budget):
    one_of_each(roles, budget, "A")
    few = find(app, f"{YEAR}-10-01")
    assert {i["code"] for i in few} == set(flags.FLAG_LABELS)
    with support.CountedStatements(app) as statements, app.app_context():
        flags.find(YEAR, None, today=on(f"{YEAR}-10-01"))
    assert len(statements) == len(flags.FLAGS)
    path = f"/api/v1/reports/flags?fiscal_year={YEAR}"
    count, body = support.statements_for(app, roles["auditor"], path)

    one_of_each(roles, budget, "B")
    one_of_each(roles, budget, "C")
    assert len(find(app, f"{YEAR}-10-01")) > len(few)
    more_count, more = support.statements_for(app, roles["auditor"], path)
    assert more["total"] > body["total"]
    assert more_count == count



def test_the_api_pages_the_flags(roles, spending):
    everything = support.get(roles["finance"], f"/api/v1/reports/flags?fiscal_year={YEAR}&per_page=200")
    assert everything["total"] == len(everything["items"]) > 3
    second = support.get(roles["finance"], f"/api/v1/reports/flags?fiscal_year={YEAR}&per_page=2&page=2")
    assert second["total"] == everything["total"] and (second["page"], second["per_page"]) == (2, 2)
    assert second["items"] == everything["items"][2:4]
    assert roles["finance"].get(f"/api/v1/reports/flags?fiscal_year={YEAR}&per_page=201").status_code == 422
