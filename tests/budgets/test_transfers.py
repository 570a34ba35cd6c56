"""Transfers between allocations (điều chỉnh dự toán, Law 89/2025 art. 55; DESIGN §11): what one moves
(both allocations, both envelopes when they differ, the execution report, the workbook, the audit
trail, `flask ledger check`), what it never moves (a request's approved total), each refusal with the
whole database unchanged, who may transfer and who reads which transfers.
"""
import io
import itertools
from dataclasses import dataclass
from datetime import date

import openpyxl
import pytest
import sqlalchemy as sa

from app.core.audit import verify_chain
from app.extensions import db
from tests import support
from tests.commissions import builders
from tests.fixtures.worlds import build_world, saved_world
from tests.support import database_fingerprint

YEAR = support.YEAR
PATH = "/api/v1/transfers"
OUT_FIELDS = {"id", "fiscal_year", "from_allocation_id", "to_allocation_id", "amount", "decision_no",
              "decision_date", "reason", "created_at"}
_keys = itertools.count(1)


@dataclass
class Budget:
    """Two envelopes of the year (E1 of 1,000,000,000; E2 of 150,000,000, 50,000,000 still free) and
    one of the next year; the DIC's press allocation of 200,000,000 on its request of 300,000,000 with a
    signed commission of 20,000,000 and an advance of 5,000,000 paid on it (so 15,000,000 committed,
    5,000,000 spent: it can give 180,000,000); STP's training allocation of 100,000,000 in E1; An
    Nhơn's of 100,000,000 in E2; STP's of 50,000,000 in the next year."""
    envelope: int
    small_envelope: int
    next_envelope: int
    request: int
    press: int
    training: int
    other: int
    next_year: int


@saved_world(scope="module")
def _transfers_world(app, _roles_world):
    return build_world(app, "transfers.budget", lambda: _build_budget(_roles_world.clients(app)), base=_roles_world)


@pytest.fixture
def budget(_transfers_world) -> Budget:
    """The saved budget of this module (built once through the API, restored before each test)."""
    return _transfers_world.copy()


def _build_budget(roles) -> Budget:
    finance, dic = roles["finance"], roles["dic"]
    envelope = support.envelope(finance, 1_000_000_000)["id"]
    small = support.envelope(finance, 150_000_000)["id"]
    later = support.envelope(finance, 100_000_000, year=YEAR + 1)["id"]
    request = support.submitted_request(dic, support.line(300_000_000, "press"))["id"]
    press = support.allocation(finance, envelope, "SVHTTDL", 200_000_000, request_id=request)["id"]
    training = support.allocation(finance, envelope, "STP", 100_000_000, category="training")["id"]
    other = support.allocation(finance, small, "ANNHON", 100_000_000, category="training")["id"]
    next_year = support.allocation(finance, later, "STP", 50_000_000, year=YEAR + 1)["id"]
    commission = builders.signed_commission(finance, dic, press, builders.supplier(finance)["id"])
    support.ok(dic.post("/api/v1/expenditures", headers={"Idempotency-Key": "tu-01"}, json={
        "allocation_id": press, "commission_id": commission["id"], "kind": "advance", "amount": 5_000_000,
        "paid_on": f"{YEAR}-02-10", "voucher_no": "TU-01", "payee": "Báo Gia Lai",
        "description": "Tạm ứng hợp đồng"}), 201)
    return Budget(envelope, small, later, request, press, training, other, next_year)


def body(source, target, amount, **extra):
    return {"from_allocation_id": source, "to_allocation_id": target, "amount": amount,
            "decision_no": "812/QĐ-UBND", "decision_date": f"{YEAR}-06-15",
            "reason": "Điều chỉnh dự toán theo tiến độ thực hiện", **extra}


def transfer(client, source, target, amount, **extra):
    return client.post(PATH, json=body(source, target, amount, **extra))


def allocation(client, allocation_id):
    return support.get(client, f"/api/v1/allocations/{allocation_id}")


def figures(client, allocation_id):
    a = allocation(client, allocation_id)
    return {k: a[k] for k in ("amount", "transferred", "committed", "spent", "available")}


def envelope(client, envelope_id):
    e = support.get(client, f"/api/v1/envelopes/{envelope_id}")
    return e["allocated"], e["available"]


def ledger_check(app):
    result = app.test_cli_runner().invoke(args=["ledger", "check"])
    return result.exit_code, result.output


def chain_is_intact(app):
    with app.app_context():
        _checked, problem = verify_chain()
        db.session.remove()
    assert problem is None, problem


def assert_refused(app, response, status, code, field=None):
    body_ = response.get_json()
    assert response.status_code == status, body_
    assert body_["error"] == code, body_
    if field is not None:
        assert field in body_["details"], body_


# --- what a transfer moves --------------------------------------------------------------------

def test_within_one_envelope_both_allocations_move_and_nothing_else(app, roles, budget):
    finance = roles["finance"]
    before_envelope = envelope(finance, budget.envelope)
    audit_before = support.audit_total(finance)
    created = support.ok(transfer(finance, budget.press, budget.training, 50_000_000), 201)
    assert set(created) == OUT_FIELDS
    assert (created["fiscal_year"], created["from_allocation_id"], created["to_allocation_id"], created["amount"]) \
        == (YEAR, budget.press, budget.training, 50_000_000)
    assert created["decision_date"] == f"{YEAR}-06-15" and created["created_at"].endswith("Z")
    assert support.get(finance, f"{PATH}/{created['id']}") == created

    assert figures(finance, budget.press) == {"amount": 150_000_000, "transferred": -50_000_000,
                                              "committed": 15_000_000, "spent": 5_000_000, "available": 130_000_000}
    assert figures(finance, budget.training) == {"amount": 150_000_000, "transferred": 50_000_000,
                                                 "committed": 0, "spent": 0, "available": 150_000_000}
    assert envelope(finance, budget.envelope) == before_envelope  # one envelope: its allocated is as it was
    request = support.get(finance, f"/api/v1/requests/{budget.request}")
    assert request["approved_total"] == 200_000_000  # a transfer never moves what the request was approved

    assert support.audit_total(finance) == audit_before + 1
    entry, = support.get(finance, f"/api/v1/audit?entity=transfer&entity_id={created['id']}")["items"]
    assert entry["action"] == "allocation.transfer" and entry["actor"] == "taichinh"
    assert {k: entry["changes"][k] for k in ("from_allocation_id", "to_allocation_id", "amount")} == {
        "from_allocation_id": budget.press, "to_allocation_id": budget.training, "amount": 50_000_000}
    chain_is_intact(app)
    assert ledger_check(app)[0] == 0


def test_between_two_envelopes_the_envelopes_follow(app, roles, budget):
    finance = roles["finance"]
    assert envelope(finance, budget.envelope) == (300_000_000, 700_000_000)
    assert envelope(finance, budget.small_envelope) == (100_000_000, 50_000_000)
    support.ok(transfer(finance, budget.press, budget.other, 50_000_000), 201)
    assert envelope(finance, budget.envelope) == (250_000_000, 750_000_000)
    assert envelope(finance, budget.small_envelope) == (150_000_000, 0)  # full: rule 1 holds at its limit
    assert figures(finance, budget.other)["amount"] == 150_000_000

    # the receiving envelope would pass its total: refused, nothing changed
    before = database_fingerprint(app)
    response = transfer(finance, budget.training, budget.other, 1)
    assert_refused(app, response, 409, "insufficient_funds", "amount")
    assert "chỉ còn 0 ₫" in response.get_json()["message"]
    assert database_fingerprint(app) == before

    # back the other way: E2 gives, E1 takes
    support.ok(transfer(finance, budget.other, budget.training, 30_000_000), 201)
    assert envelope(finance, budget.small_envelope) == (120_000_000, 30_000_000)
    assert envelope(finance, budget.envelope) == (280_000_000, 720_000_000)
    assert ledger_check(app)[0] == 0
    chain_is_intact(app)


def test_the_source_never_falls_below_what_it_has_committed_and_spent(app, roles, budget):
    finance = roles["finance"]
    before = database_fingerprint(app)
    response = transfer(finance, budget.press, budget.training, 180_000_001)
    assert_refused(app, response, 409, "insufficient_funds", "amount")
    assert "180.000.000 ₫" in response.get_json()["message"]  # what the source can give
    assert response.get_json()["details"]["amount"] == ["Tối đa 180.000.000 ₫."]
    assert database_fingerprint(app) == before

    support.ok(transfer(finance, budget.press, budget.training, 180_000_000), 201)
    assert figures(finance, budget.press) == {"amount": 20_000_000, "transferred": -180_000_000,
                                              "committed": 15_000_000, "spent": 5_000_000, "available": 0}
    before = database_fingerprint(app)
    assert_refused(app, transfer(finance, budget.press, budget.training, 1), 409, "insufficient_funds", "amount")
    # across envelopes the same refusal, though the envelopes would be locked first
    assert_refused(app, transfer(finance, budget.press, budget.other, 1), 409, "insufficient_funds", "amount")
    assert database_fingerprint(app) == before
    assert ledger_check(app)[0] == 0


def test_a_request_keeps_its_approved_total_and_its_limit(app, roles, budget):
    finance = roles["finance"]
    support.ok(transfer(finance, budget.press, budget.training, 60_000_000), 201)
    support.ok(transfer(finance, budget.training, budget.press, 10_000_000), 201)
    request = support.get(finance, f"/api/v1/requests/{budget.request}")
    assert (request["requested_total"], request["approved_total"]) == (300_000_000, 200_000_000)
    # rule 3 still counts what was approved: 100,000,000 more may be allocated, not one đồng above
    support.ok(finance.post("/api/v1/allocations", json=support.allocation_body(
        budget.envelope, "SVHTTDL", 100_000_000, request_id=budget.request)), 201)
    refused = finance.post("/api/v1/allocations", json=support.allocation_body(
        budget.envelope, "SVHTTDL", 1, request_id=budget.request))
    assert_refused(app, refused, 409, "rule_violation")
    code, output = ledger_check(app)
    assert code == 0, output


# --- refusals: 422 naming the field, nothing changed -----------------------------------------

def _refusals():
    huge = "9" * 5000
    return [
        ("same allocation", lambda b: body(b.press, b.press, 1), "to_allocation_id"),
        ("unknown source", lambda b: body(999_999, b.training, 1), "from_allocation_id"),
        ("unknown destination", lambda b: body(b.press, 999_999, 1), "to_allocation_id"),
        ("source beyond the column", lambda b: body(2**31, b.training, 1), "from_allocation_id"),
        ("id as text", lambda b: body(str(b.press), b.training, 1), "from_allocation_id"),
        ("another fiscal year", lambda b: body(b.press, b.next_year, 1), "to_allocation_id"),
        ("another fiscal year, reversed", lambda b: body(b.next_year, b.press, 1), "to_allocation_id"),
        ("zero", lambda b: body(b.press, b.training, 0), "amount"),
        ("negative", lambda b: body(b.press, b.training, -5), "amount"),
        ("fraction", lambda b: body(b.press, b.training, 5.5), "amount"),
        ("float", lambda b: body(b.press, b.training, 5.0), "amount"),
        ("text", lambda b: body(b.press, b.training, "5000"), "amount"),
        ("5,000 digits as text", lambda b: body(b.press, b.training, huge), "amount"),
        ("boolean", lambda b: body(b.press, b.training, True), "amount"),
        ("null", lambda b: body(b.press, b.training, None), "amount"),
        ("above the ceiling", lambda b: body(b.press, b.training, 10**15 + 1), "amount"),
        ("beyond bigint", lambda b: body(b.press, b.training, 2**63), "amount"),
        ("dated the year before", lambda b: body(b.press, b.training, 1, decision_date=f"{YEAR - 1}-12-31"),
         "decision_date"),
        ("dated the year after", lambda b: body(b.press, b.training, 1, decision_date=f"{YEAR + 1}-01-01"),
         "decision_date"),
        ("not a date", lambda b: body(b.press, b.training, 1, decision_date="15/06/2026"), "decision_date"),
        ("blank reason", lambda b: body(b.press, b.training, 1, reason="   "), "reason"),
        ("empty reason", lambda b: body(b.press, b.training, 1, reason=""), "reason"),
        ("blank decision", lambda b: body(b.press, b.training, 1, decision_no=" \t "), "decision_no"),
        ("decision too long", lambda b: body(b.press, b.training, 1, decision_no="Q" * 61), "decision_no"),
        ("no reason", lambda b: {k: v for k, v in body(b.press, b.training, 1).items() if k != "reason"}, "reason"),
        ("no source", lambda b: {k: v for k, v in body(b.press, b.training, 1).items()
                                 if k != "from_allocation_id"}, "from_allocation_id"),
        ("unknown field", lambda b: body(b.press, b.training, 1, unit_code="STP"), "unit_code"),
    ]


REFUSALS = _refusals()


@pytest.mark.parametrize("make,field", [(make, field) for _name, make, field in REFUSALS],
                         ids=[name for name, _make, _field in REFUSALS])
def test_bad_input_is_refused_naming_the_field_and_changes_nothing(app, roles, budget, make, field):
    before = database_fingerprint(app)
    response = roles["finance"].post(PATH, json=make(budget))
    assert_refused(app, response, 422, "validation_error", field)
    assert database_fingerprint(app) == before


def test_a_5000_digit_json_number_is_refused_by_the_parser_and_changes_nothing(app, roles, budget):
    """Python will not read an integer of 5,000 digits (DESIGN §6 and PITFALLS): 400, never a 500."""
    before = database_fingerprint(app)
    text = ('{"from_allocation_id": %d, "to_allocation_id": %d, "amount": %s, "decision_no": "1/QĐ", '
            '"decision_date": "%d-06-15", "reason": "Điều chỉnh"}' % (budget.press, budget.training, "9" * 5000, YEAR))
    response = roles["finance"].client.post(PATH, data=text, headers={
        "Content-Type": "application/json", "Authorization": f"Bearer {roles['finance'].token}"})
    assert_refused(app, response, 400, "bad_request")
    assert database_fingerprint(app) == before


@pytest.mark.parametrize("who,status", [("unit", 403), ("dic", 403), ("other_unit", 403), ("auditor", 403),
                                        ("admin", 403), ("anonymous", 401)])
def test_only_finance_transfers(app, roles, budget, who, status):
    before = database_fingerprint(app)
    for sent in (body(budget.press, budget.training, 1_000_000), {"amount": "nhiều"}):
        response = roles[who].post(PATH, json=sent)
        assert response.status_code == status, response.get_json()
    assert database_fingerprint(app) == before


def test_a_closed_year_refuses_with_year_closed(app, roles, budget):
    from budgets.years.models import FiscalYear
    with app.app_context():  # the close is another module's: its row is all the guard reads
        db.session.add(FiscalYear(year=YEAR, decision_no="15/STC-QLNS", decision_date=date(YEAR + 1, 2, 6)))
        db.session.commit()
        db.session.remove()
    before = database_fingerprint(app)
    response = transfer(roles["finance"], budget.press, budget.training, 1_000_000)
    assert_refused(app, response, 409, "year_closed")
    assert database_fingerprint(app) == before
    # the next year is open
    second = support.allocation(roles["finance"], budget.next_envelope, "ANNHON", 10_000_000, year=YEAR + 1)["id"]
    support.ok(transfer(roles["finance"], budget.next_year, second, 1_000_000, decision_date=f"{YEAR + 1}-03-01"), 201)


def test_an_idempotency_key_replays_the_first_answer(app, roles, budget):
    finance = roles["finance"]
    sent = body(budget.press, budget.training, 7_000_000)
    first = support.ok(finance.post(PATH, json=sent, headers={"Idempotency-Key": "dc-2026-01"}), 201)
    audit = support.audit_total(finance)
    again = support.ok(finance.post(PATH, json=sent, headers={"Idempotency-Key": "dc-2026-01"}), 201)
    assert again == first
    assert support.list_total(finance, PATH) == 1 and support.audit_total(finance) == audit
    assert figures(finance, budget.press)["transferred"] == -7_000_000
    before = database_fingerprint(app)
    other = finance.post(PATH, json=dict(sent, amount=8_000_000), headers={"Idempotency-Key": "dc-2026-01"})
    assert_refused(app, other, 422, "idempotency_conflict")
    assert database_fingerprint(app) == before


# --- reads -------------------------------------------------------------------------------------

@pytest.fixture
def three_transfers(roles, budget):
    """DIC → STP and STP → An Nhơn this year; DIC → An Nhơn next year."""
    finance = roles["finance"]
    dic_next = support.allocation(finance, budget.next_envelope, "SVHTTDL", 20_000_000, year=YEAR + 1)["id"]
    annhon_next = support.allocation(finance, budget.next_envelope, "ANNHON", 20_000_000, year=YEAR + 1)["id"]
    return [support.ok(response, 201)["id"] for response in (
        transfer(finance, budget.press, budget.training, 10_000_000),
        transfer(finance, budget.training, budget.other, 5_000_000),
        transfer(finance, dic_next, annhon_next, 3_000_000, decision_date=f"{YEAR + 1}-04-01"))]


def ids(client, query=""):
    return [item["id"] for item in support.get(client, f"{PATH}?per_page=200{query}")["items"]]


def test_lists_filter_by_year_and_either_side(roles, budget, three_transfers):
    dic_to_stp, stp_to_annhon, next_year = three_transfers
    finance = roles["finance"]
    assert ids(finance) == [next_year, stp_to_annhon, dic_to_stp]  # newest first
    assert ids(finance, f"&fiscal_year={YEAR}") == [stp_to_annhon, dic_to_stp]
    assert ids(finance, f"&allocation_id={budget.training}") == [stp_to_annhon, dic_to_stp]
    assert ids(finance, f"&allocation_id={budget.press}") == [dic_to_stp]
    assert ids(finance, f"&fiscal_year={YEAR + 1}&allocation_id={budget.press}") == []
    page = support.get(finance, f"{PATH}?per_page=1&page=2")
    assert (page["total"], page["page"], page["per_page"], [t["id"] for t in page["items"]]) == (
        3, 2, 1, [stp_to_annhon])
    for query, field in (("allocation_id=abc", "allocation_id"), ("fiscal_year=1999", "fiscal_year"),
                         ("allocation_id=0", "allocation_id"), ("per_page=201", "per_page")):
        response = finance.get(f"{PATH}?{query}")
        assert response.status_code == 422 and field in response.get_json()["details"], query


def test_a_unit_reads_only_the_transfers_touching_its_allocations(roles, three_transfers):
    dic_to_stp, stp_to_annhon, next_year = three_transfers
    assert ids(roles["auditor"]) == [next_year, stp_to_annhon, dic_to_stp]
    assert ids(roles["unit"]) == [stp_to_annhon, dic_to_stp]
    assert ids(roles["dic"]) == [next_year, dic_to_stp]
    assert ids(roles["other_unit"]) == [next_year, stp_to_annhon]
    assert support.get(roles["unit"], f"{PATH}/{dic_to_stp}")["id"] == dic_to_stp
    assert roles["dic"].get(f"{PATH}/{stp_to_annhon}").status_code == 404  # another unit's reads as missing
    assert roles["unit"].get(f"{PATH}/{next_year}").status_code == 404
    assert roles["finance"].get(f"{PATH}/999999").status_code == 404
    assert roles["finance"].get(f"{PATH}/9223372036854775808").status_code == 404
    for path in (PATH, f"{PATH}/{dic_to_stp}"):
        assert roles["admin"].get(path).status_code == 403
        assert roles["anonymous"].get(path).status_code == 401


def test_the_allocation_answers_its_moves(roles, budget, three_transfers):
    got = allocation(roles["unit"], budget.training)
    assert (got["transferred"], got["carried_over"], got["cancelled"]) == (5_000_000, 0, 0)
    listed = support.get(roles["finance"], f"/api/v1/allocations?fiscal_year={YEAR}&per_page=200")["items"]
    assert {a["id"]: a["transferred"] for a in listed} == {
        budget.press: -10_000_000, budget.training: 5_000_000, budget.other: 5_000_000}


# --- the reports and the ledger check ---------------------------------------------------------

def test_the_execution_report_shows_what_moved(roles, budget):
    finance = roles["finance"]
    support.ok(transfer(finance, budget.press, budget.training, 50_000_000), 201)
    support.ok(transfer(finance, budget.press, budget.other, 20_000_000), 201)

    def report(by):
        got = support.get(finance, f"/api/v1/reports/execution?fiscal_year={YEAR}&by={by}")
        return {row["key"]: (row["allocated"], row["transferred"]) for row in got["items"]}, got["totals"]

    by_unit, totals = report("unit")
    assert by_unit == {"SVHTTDL": (130_000_000, -70_000_000), "STP": (150_000_000, 50_000_000),
                       "ANNHON": (120_000_000, 20_000_000)}
    assert (totals["allocated"], totals["transferred"]) == (400_000_000, 0)  # the province's total is as it was
    by_envelope, _ = report("envelope")
    assert sorted(by_envelope.values()) == [(120_000_000, 20_000_000), (280_000_000, -20_000_000)]
    by_category, _ = report("category")
    assert by_category == {"press": (130_000_000, -70_000_000), "training": (270_000_000, 70_000_000)}
    unit_view = support.get(roles["unit"], f"/api/v1/reports/execution?fiscal_year={YEAR}&by=unit")
    assert [(row["key"], row["transferred"]) for row in unit_view["items"]] == [("STP", 50_000_000)]
    assert unit_view["totals"]["transferred"] == 50_000_000


def _sheet(book, name):
    rows = list(book[name].iter_rows(values_only=True))
    headers, rows = rows[0], rows[1:]
    totals = rows.pop() if rows and rows[-1][0] in ("Tổng cộng", "Total") else None
    return headers, [dict(zip(headers, row)) for row in rows], totals


def _workbook(client, query=""):
    response = client.get(f"/api/v1/reports/ledger.xlsx?fiscal_year={YEAR}{query}")
    assert response.status_code == 200
    return openpyxl.load_workbook(io.BytesIO(response.get_data()))


def test_the_workbook_lists_the_years_transfers(roles, budget, three_transfers):
    book = _workbook(roles["auditor"])
    assert "Điều chỉnh dự toán" in book.sheetnames
    headers, rows, totals = _sheet(book, "Điều chỉnh dự toán")
    assert [(r["Mã phân bổ chuyển đi"], r["Mã phân bổ nhận"], r["Số tiền (đồng)"]) for r in rows] == [
        (budget.press, budget.training, 10_000_000), (budget.training, budget.other, 5_000_000)]
    first = rows[0]
    assert (first["Đơn vị chuyển đi"], first["Đơn vị nhận"], first["Lĩnh vực chuyển đi"]) == (
        "SVHTTDL", "STP", "Đặt hàng báo chí")
    assert first["Số quyết định điều chỉnh"] == "812/QĐ-UBND" and first["Người lập"] == "taichinh"
    assert first["Ngày quyết định"].date() == date(YEAR, 6, 15)
    assert isinstance(first["Số tiền (đồng)"], int) and first["Lý do"] == "Điều chỉnh dự toán theo tiến độ thực hiện"
    assert totals[headers.index("Số tiền (đồng)")].startswith("=SUBTOTAL(9,")

    # Tổng hợp: the column beside what was allocated
    summary = list(book["Tổng hợp"].iter_rows(values_only=True))
    header = next(row for row in summary if row[0] == "Mã đơn vị")
    stp = next(row for row in summary[summary.index(header):] if row[0] == "STP")
    assert stp[header.index("Điều chỉnh dự toán (đồng)")] == 5_000_000
    assert stp[header.index("Được phân bổ (đồng)")] == 105_000_000

    # An Nhơn's own export holds the one transfer into its allocation; English names the sheet
    _headers, theirs, _ = _sheet(_workbook(roles["other_unit"]), "Điều chỉnh dự toán")
    assert [r["Mã phân bổ nhận"] for r in theirs] == [budget.other]
    english = _workbook(roles["finance"], "&lang=en")
    assert english.sheetnames[4] == "Budget transfers"


def test_ledger_check_recomputes_what_transfers_moved(app, roles, budget):
    finance = roles["finance"]
    support.ok(transfer(finance, budget.press, budget.training, 40_000_000), 201)
    support.ok(transfer(finance, budget.training, budget.other, 15_000_000), 201)
    code, output = ledger_check(app)
    assert code == 0, output
    with app.app_context():  # behind the services' back: one đồng of a net transfer
        db.session.execute(sa.text("UPDATE allocations SET transferred = transferred + 1 WHERE id = :id"),
                           {"id": budget.training})
        db.session.commit()
        db.session.remove()
    code, output = ledger_check(app)
    lines = [line for line in output.splitlines() if line.strip()]
    assert code == 1 and lines == [f"phân bổ {budget.training}: transferred = 25000001, tính lại được 25000000"]
    # on an allocation of a request the approved total, computed as amount - transferred, is off too
    with app.app_context():
        db.session.execute(sa.text("UPDATE allocations SET transferred = transferred - 1 WHERE id IN (:a, :b)"),
                           {"a": budget.training, "b": budget.press})
        db.session.commit()
        db.session.remove()
    code, output = ledger_check(app)
    lines = sorted(line for line in output.splitlines() if line.strip())
    assert code == 1 and lines == sorted([
        f"phân bổ {budget.press}: transferred = -40000001, tính lại được -40000000",
        f"đề nghị {budget.request}: approved_total = 200000000, tính lại được 200000001"]), output


def test_lists_cost_the_same_statements_whatever_their_size(app, roles, budget):
    finance = roles["finance"]
    support.ok(transfer(finance, budget.press, budget.training, 1_000_000), 201)
    one, _ = support.statements_for(app, finance, f"{PATH}?fiscal_year={YEAR}")
    for _ in range(6):
        support.ok(transfer(finance, budget.training, budget.other, 1_000_000), 201)
    seven, listed = support.statements_for(app, finance, f"{PATH}?fiscal_year={YEAR}")
    assert len(listed["items"]) == 7 and seven == one
    page_one, _ = support.statements_for(app, roles["unit"], f"{PATH}?allocation_id={budget.training}&per_page=2")
    page_two, _ = support.statements_for(app, roles["unit"],
                                         f"{PATH}?allocation_id={budget.training}&per_page=2&page=3")
    assert page_one == page_two
