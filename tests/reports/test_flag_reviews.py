"""Flags that can be worked through (issue 20 item 5): filtered by unit, kind and severity, exported
as CSV, marked handled with a note (who and when, audited) and shown again when their cause changes;
the low-spending flag only for allocations decided before the last quarter began."""
import csv
import io
import re

import time_machine

from app.extensions import db
from reports import flags
from tests import support
from tests.reports.test_flags import direct, on
from tests.support import Browser, text

YEAR = support.YEAR


def rows(page):
    return re.findall(r'data-testid="flag-row" data-code="([a-z_]+)"', page)


def test_a_flag_marked_handled_leaves_the_list_until_its_cause_changes(spending, roles, app):
    finance = Browser(app, "taichinh")
    page = text(finance.get(f"/reports/flags?fiscal_year={YEAR}"))
    before = rows(page).count("direct_without_document")
    assert before >= 1
    entry = spending.direct["id"]
    refused = finance.submit(f"/reports/flags?fiscal_year={YEAR}", "/reports/flags/handle", {
        "fiscal_year": str(YEAR), "code": "direct_without_document", "entity": "expenditure",
        "entity_id": str(entry), "note": " "})
    assert refused.status_code == 422
    done = finance.submit(f"/reports/flags?fiscal_year={YEAR}", "/reports/flags/handle", {
        "fiscal_year": str(YEAR), "code": "direct_without_document", "entity": "expenditure",
        "entity_id": str(entry), "note": "Đơn vị đã nộp bản giấy phiếu chi, chờ bản quét"})
    assert done.status_code == 302
    page = text(finance.get(f"/reports/flags?fiscal_year={YEAR}"))
    assert rows(page).count("direct_without_document") == before - 1
    shown = text(finance.get(f"/reports/flags?fiscal_year={YEAR}&handled=1"))
    assert 'data-testid="flag-handled"' in shown and "chờ bản quét" in shown
    audit = text(Browser(app, "kiemtoan").get("/audit?entity=expenditure"))
    assert "Đánh dấu cảnh báo đã xử lý" in audit
    # a flag that does not stand cannot be marked
    assert finance.submit(f"/reports/flags?fiscal_year={YEAR}", "/reports/flags/handle", {
        "fiscal_year": str(YEAR), "code": "deliverable_overdue", "entity": "deliverable", "entity_id": "999999",
        "note": "Không có"}).status_code == 409
    unit = Browser(app, "donvi")
    assert 'data-testid="flag-handle-form"' not in text(unit.get(f"/reports/flags?fiscal_year={YEAR}"))
    assert unit.submit(f"/reports/flags?fiscal_year={YEAR}", "/reports/flags/handle", {
        "fiscal_year": str(YEAR), "code": "direct_without_document", "entity": "expenditure",
        "entity_id": str(entry), "note": "Tự đánh dấu"}).status_code == 403


def test_the_filters_and_the_csv_show_the_same_flags(spending, roles, app):
    finance = Browser(app, "taichinh")
    page = text(finance.get(f"/reports/flags?fiscal_year={YEAR}&severity=high&unit=STP"))
    assert rows(page) and set(rows(page)) <= {"direct_without_document", "advance_outstanding"}
    response = finance.get(f"/reports/flags.csv?fiscal_year={YEAR}&severity=high&unit=STP")
    lines = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert len(lines) - 1 == len(rows(page)) and all(line[3] == "STP" for line in lines[1:])
    assert not any(cell.startswith("=") for line in lines for cell in line)
    assert finance.get("/reports/flags.csv?fiscal_year=abc").status_code == 422


def test_a_handled_flag_shows_again_when_its_cause_changes(roles, budget, app):
    from reports import flag_reviews
    allocation = budget.allocation("unit", "operations")
    entry = direct(roles["unit"], allocation, 1_000_000, "CT-LAI", document=False)
    finance = Browser(app, "taichinh")
    finance.submit(f"/reports/flags?fiscal_year={YEAR}", "/reports/flags/handle", {
        "fiscal_year": str(YEAR), "code": "direct_without_document", "entity": "expenditure",
        "entity_id": str(entry["id"]), "note": "Đã nhắc đơn vị"})
    with app.app_context():
        reviews = flag_reviews.reviews_of(YEAR)
        flag = next(f for f in flags.stream(YEAR, None) if f["entity_id"] == entry["id"])
        assert flag_reviews.handled(flag, reviews) is not None
        changed = {**flag, "amount": flag["amount"] + 1}
        assert flag_reviews.handled(changed, reviews) is None
        db.session.remove()


def test_an_allocation_decided_in_the_last_quarter_is_not_flagged_for_low_spending(roles, app):
    finance = roles["finance"]
    envelope = support.envelope(finance, 1_000_000_000)["id"]
    with time_machine.travel(f"{YEAR}-10-20 09:00 +0700", tick=False):
        late = support.ok(finance.post("/api/v1/allocations", json={
            **support.allocation_body(envelope, "STP", 100_000_000, category="operations", decision_no="99/QĐ-STC"),
            "decision_date": f"{YEAR}-10-15"}), 201)
    with app.app_context():
        codes = [(f["code"], f["entity_id"]) for f in flags.find(YEAR, None, today=on(f"{YEAR}-11-01"))]
        db.session.remove()
    assert ("low_execution", late["id"]) not in codes
