"""The year-end close (DESIGN §11): the year before today's is closed after its correction period;
signed commissions are carried into the next year with their commitment and advances, unsigned ones
cancelled, the rest of every allocation cancelled, and the closed year refuses writes."""
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from app.core.audit import verify_chain
from app.extensions import db
from commissions.expenditures.balances import check_balances as check_ledger
from tests import support
from tests.budgets.builders import PAST, spend
from tests.commissions import builders

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def consistent(app):
    with app.app_context():
        problems = check_ledger()
        checked, broken = verify_chain()
        db.session.remove()
    assert problems == [] and broken is None, (problems, broken)


def close(finance, year=PAST, status=200, **body):
    body = {"decision_no": "215/STC-QLNS", "decision_date": f"{year + 1}-02-06", **body}
    return support.ok(finance.post(f"/api/v1/years/{year}/close", json=body), status)


def test_the_preview_says_what_the_close_will_do_and_changes_nothing(app, roles, past_year):
    finance = roles["finance"]
    before = support.database_fingerprint(app)
    preview = support.get(finance, f"/api/v1/years/{PAST}/close-preview")
    assert support.database_fingerprint(app) == before
    carried = past_year["carried"]
    # value 130,000,000; paid 30,000,000 of which 10,000,000 from the advance; 20,000,000 still advanced
    assert preview["carry"] == [{**preview["carry"][0], "commission_id": carried["id"], "number": carried["number"],
                                 "committed": 80_000_000, "outstanding_advance": 20_000_000}]
    assert [c["commission_id"] for c in preview["cancel_commissions"]] == [past_year["unsigned"]["id"]]
    cancel = {row["allocation_id"]: row["amount"] for row in preview["cancel"]}
    assert cancel == {past_year["press"]["id"]: 600_000_000 - 50_000_000 - 80_000_000,
                      past_year["training"]["id"]: 200_000_000 - 15_000_000}
    assert preview["totals"] == {"allocated": 800_000_000, "spent": 45_000_000, "carried_over": 100_000_000,
                                 "cancelled": 655_000_000}
    assert support.get(roles["auditor"], f"/api/v1/years/{PAST}/close-preview") == preview
    assert roles["unit"].get(f"/api/v1/years/{PAST}/close-preview").status_code == 403


def test_close_carries_signed_commissions_cancels_the_rest_and_balances(app, roles, past_year):
    finance = roles["finance"]
    year = close(finance)
    assert year["status"] == "closed" and year["decision_no"] == "215/STC-QLNS"
    assert (year["allocated"], year["spent"], year["carried_over"], year["cancelled"]) == (
        800_000_000, 45_000_000, 100_000_000, 655_000_000)
    assert year["allocated"] == year["spent"] + year["carried_over"] + year["cancelled"]
    assert support.get(finance, f"/api/v1/years/{PAST}") == year

    carried = support.get(finance, f"/api/v1/commissions/{past_year['carried']['id']}")
    assert carried["number"] == past_year["carried"]["number"] and carried["status"] == "signed"
    assert (carried["committed"], carried["outstanding_advance"], carried["paid"]) == (
        80_000_000, 20_000_000, 30_000_000)
    target = support.get(finance, f"/api/v1/allocations/{carried['allocation_id']}")
    assert carried["allocation_id"] != past_year["press"]["id"]
    assert (target["amount"], target["committed"], target["spent"], target["available"]) == (
        100_000_000, 80_000_000, 20_000_000, 0)
    carry_envelope = support.get(finance, f"/api/v1/envelopes/{target['envelope_id']}")
    assert (carry_envelope["fiscal_year"], carry_envelope["total"], carry_envelope["allocated"]) == (
        PAST + 1, 100_000_000, 100_000_000)
    assert carry_envelope["decisions"][0]["decision_no"] == "215/STC-QLNS"

    old = support.get(finance, f"/api/v1/allocations/{past_year['press']['id']}")
    assert (old["committed"], old["spent"], old["available"]) == (0, 30_000_000, 0)
    assert support.get(finance, f"/api/v1/commissions/{past_year['unsigned']['id']}")["status"] == "cancelled"
    assert support.get(finance, f"/api/v1/years/{PAST + 1}")["carried_in"] == 100_000_000
    consistent(app)


def test_the_carried_commission_goes_on_in_the_next_year(app, roles, past_year):
    finance, dic = roles["finance"], roles["dic"]
    close(finance)
    carried = support.get(finance, f"/api/v1/commissions/{past_year['carried']['id']}")
    segments = carried["deliverables"][0]["id"]
    builders.deliver(dic, segments, 4, delivered_on=f"{PAST + 1}-02-20")
    builders.accept(dic, segments, 4, accepted_on=f"{PAST + 1}-02-25")
    spend(dic, carried["allocation_id"], "payment", 80_000_000, commission_id=carried["id"],
          advance_applied=20_000_000, paid_on=f"{PAST + 1}-03-02",
          deliverables=[{"deliverable_id": segments, "amount": 100_000_000}])
    after = support.get(finance, f"/api/v1/commissions/{carried['id']}")
    assert (after["paid"], after["outstanding_advance"], after["committed"]) == (130_000_000, 0, 0)
    target = support.get(finance, f"/api/v1/allocations/{carried['allocation_id']}")
    assert (target["committed"], target["spent"]) == (0, 100_000_000)
    consistent(app)


def test_a_closed_year_refuses_every_write_but_a_reversal_of_direct_spending(app, roles, past_year):
    finance, dic, unit = roles["finance"], roles["dic"], roles["unit"]
    close(finance)
    before = support.database_fingerprint(app)
    refused = [
        finance.post("/api/v1/allocations", json=support.allocation_body(past_year["envelope"]["id"], year=PAST)),
        support.adjustment(finance, past_year["training"]["id"], 1_000_000),
        finance.post(f"/api/v1/envelopes/{past_year['envelope']['id']}/supplements",
                     json={"amount": 5, "decision_no": "1/QĐ", "decision_date": f"{PAST}-12-01"}),
        unit.post("/api/v1/requests", json={"fiscal_year": PAST, "title": "Muộn", "lines": [support.line(1_000_000)]}),
        dic.post("/api/v1/commissions", json=builders.commission_body(past_year["press"]["id"], past_year["supplier"],
                                                                 year=PAST)),
        unit.post("/api/v1/expenditures", json={
            "allocation_id": past_year["training"]["id"], "kind": "direct", "amount": 1_000, "paid_on": f"{PAST}-12-01",
            "voucher_no": "LATE-1", "payee": "X", "description": "Muộn"}, headers={"Idempotency-Key": "late-1"}),
    ]
    for response in refused:
        assert (response.status_code, response.get_json()["error"]) == (409, "year_closed"), response.get_json()
    assert support.database_fingerprint(app) == before

    advance = support.get(finance,
                          f"/api/v1/expenditures?allocation_id={past_year['press']['id']}&kind=advance")["items"][0]
    response = finance.post(f"/api/v1/expenditures/{advance['id']}/reverse", json={"reason": "Nhầm"})
    assert (response.status_code, response.get_json()["error"]) == (409, "year_closed")
    support.ok(finance.post(f"/api/v1/expenditures/{past_year['direct']['id']}/reverse", json={"reason": "Ghi nhầm"}),
               200)
    year = support.get(finance, f"/api/v1/years/{PAST}")
    assert (year["spent"], year["cancelled"]) == (30_000_000, 670_000_000)
    assert year["allocated"] == year["spent"] + year["carried_over"] + year["cancelled"]
    consistent(app)


@pytest.mark.parametrize("year, status, code", [
    (PAST, 409, "invalid_transition"),       # closed once already (below)
    (support.YEAR, 409, "rule_violation"),         # the current year, before 31/01 of the next
    (support.YEAR + 1, 409, "rule_violation"),     # a future year
])
def test_closes_that_are_refused_change_nothing(app, roles, past_year, year, status, code):
    finance = roles["finance"]
    if year == PAST:
        close(finance)
    before = support.database_fingerprint(app)
    body = close(finance, year, status)
    assert body["error"] == code
    assert support.database_fingerprint(app) == before


def test_bad_close_input_and_roles(app, roles, past_year):
    finance = roles["finance"]
    before = support.database_fingerprint(app)
    for body, field in (({"decision_no": " "}, "decision_no"), ({"decision_date": f"{PAST}-12-31"}, "decision_date"),
                        ({"decision_date": "2999-01-01"}, "decision_date"), ({"decision_date": "x"}, "decision_date")):
        answer = close(finance, PAST, 422, **body)
        assert field in answer["details"], answer
    for who in ("unit", "dic", "auditor", "admin"):
        assert roles[who].post(f"/api/v1/years/{PAST}/close", json={}).status_code == 403
    assert finance.get("/api/v1/years/1999").status_code == 404
    assert finance.get("/api/v1/years/99999999999").status_code == 404
    assert support.database_fingerprint(app) == before


def test_a_failure_halfway_changes_nothing(app, roles, past_year, monkeypatch):
    from budgets.years import services

    def broken(year):
        raise RuntimeError("disk full")
    before = support.database_fingerprint(app)
    monkeypatch.setattr(services, "_cancel_unspent", broken)
    response = roles["finance"].post(f"/api/v1/years/{PAST}/close",
                                     json={"decision_no": "215/STC-QLNS", "decision_date": f"{PAST + 1}-02-06"})
    assert response.status_code == 500  # the fault injected; the request rolls back whole
    assert support.database_fingerprint(app) == before
    assert support.get(roles["finance"], f"/api/v1/years/{PAST}")["status"] == "open"


def test_the_current_year_closes_from_the_first_of_february(app, roles):
    finance, dic = roles["finance"], roles["dic"]
    envelope = support.envelope(finance, 500_000_000)
    press = support.allocation(finance, envelope["id"], "SVHTTDL", 300_000_000, category="press")
    signed = builders.propose(dic, press["id"], builders.supplier(finance)["id"])
    builders.approve(finance, signed["id"])
    builders.sign(dic, signed["id"])
    on_the_last_day = datetime(support.YEAR + 1, 1, 31, 23, 30, tzinfo=VN)
    with time_machine.travel(on_the_last_day, tick=False):
        token = support.World(app).token("taichinh")
        late_finance = support.ApiClient(app.test_client(), token)
        assert close(late_finance, support.YEAR, 409)["error"] == "rule_violation"
    with time_machine.travel(datetime(support.YEAR + 1, 2, 1, 8, 0, tzinfo=VN), tick=False):
        token = support.World(app).token("taichinh")
        feb_finance = support.ApiClient(app.test_client(), token)
        year = close(feb_finance, support.YEAR, decision_date=f"{support.YEAR + 1}-02-01")
        assert (year["carried_over"], year["cancelled"]) == (20_000_000, 280_000_000)
    consistent(app)


def test_the_command_line_previews_then_closes(app, roles, past_year):
    before = support.database_fingerprint(app)
    args = ["year", "close", str(PAST), "--decision-no", "215/STC-QLNS", "--decision-date", f"{PAST + 1}-02-06"]
    dry = app.test_cli_runner().invoke(args=args + ["--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "1 đặt hàng chuyển nguồn" in dry.output and "--dry-run" in dry.output
    assert support.database_fingerprint(app) == before
    done = app.test_cli_runner().invoke(args=args)
    assert done.exit_code == 0, done.output
    assert "Đã khóa sổ năm 2025" in done.output
    again = app.test_cli_runner().invoke(args=args)
    assert again.exit_code == 1 and "đã khóa sổ" in again.output
    assert support.get(roles["finance"], f"/api/v1/years/{PAST}")["status"] == "closed"
    consistent(app)


def test_reports_show_what_was_carried_and_cancelled(app, roles, past_year):
    import io

    from openpyxl import load_workbook
    finance = roles["finance"]
    close(finance)
    closed = {row["key"]: row
              for row in support.get(finance, f"/api/v1/reports/execution?fiscal_year={PAST}&by=unit")["items"]}
    assert (closed["SVHTTDL"]["carried_over"], closed["SVHTTDL"]["cancelled"], closed["SVHTTDL"]["available"]) == (
        100_000_000, 470_000_000, 0)
    assert closed["STP"]["cancelled"] == 185_000_000
    following = support.get(finance, f"/api/v1/reports/execution?fiscal_year={PAST + 1}&by=unit")["totals"]
    assert following["carried_in"] == 100_000_000
    page = support.text(support.Browser(app, "taichinh").get(f"/reports?fiscal_year={PAST}"))
    assert "Chuyển nguồn sang năm sau" in page and "Bị hủy" in page

    book = load_workbook(io.BytesIO(finance.get(f"/api/v1/reports/ledger.xlsx?fiscal_year={PAST}").get_data()))
    rows = list(book["Mẫu 31"].iter_rows(values_only=True))
    header, body = rows[0], {(row[0], row[2]): row for row in rows[1:] if row[0] and row[0] != "Tổng cộng"}
    press = body["SVHTTDL", "Đặt hàng báo chí"]
    assert press[header.index("(5) Dự toán năm được chi")] == 600_000_000
    assert press[header.index("(10) Dự toán đã sử dụng đến 31/01 năm sau")] == 50_000_000
    assert press[header.index("(11) Dự toán bị hủy")] == 470_000_000
    assert press[header.index("(12) Số dư dự toán chuyển sang năm sau")] == 80_000_000
    assert press[header.index("(13) Số dư tạm ứng chuyển sang năm sau")] == 20_000_000
