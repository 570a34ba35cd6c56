"""The audit trail as auditors read it (issue 20 item 4): actions and records in words in both
languages, changes as old → new, links to the records, newest first, filters by days, person, kind
of record and number, the filtered trail as CSV, and the chain's last check shown."""
import csv
import io

from tests import support
from tests.support import Browser, text


def test_the_trail_speaks_in_words_and_links_to_the_records(spending, roles, app):
    page = text(Browser(app, "kiemtoan").get("/audit"))
    assert "Ghi sổ khoản chi" in page and "<code>expenditure.post</code>" not in page
    assert "Khoản chi" in page and 'data-testid="audit-record-link"' in page
    assert f'href="/expenditures/{spending.payment["id"]}"' in page
    english = Browser(app, "kiemtoan")
    english.get("/lang/en")
    in_english = text(english.get("/audit"))
    assert "Record expenditure" in in_english and "Ghi sổ khoản chi" not in in_english


def test_filters_by_kind_person_day_and_number(spending, roles, app):
    auditor = Browser(app, "kiemtoan")
    page = text(auditor.get("/audit?entity=commission"))
    assert page.count('data-testid="audit-entry"') >= 1
    assert 'data-action="expenditure.post"' not in page
    by_person = text(auditor.get("/audit?actor=taichinh"))
    assert 'data-action="commission.approve"' in by_person and 'data-action="commission.propose"' not in by_person
    by_number = text(auditor.get(f"/audit?q={spending.training['number']}"))
    assert by_number.count('data-testid="audit-entry"') >= 1 and spending.training["number"] in by_number
    future = text(auditor.get(f"/audit?date_from={support.YEAR + 1}-01-01"))
    assert 'data-testid="empty-audit"' in future
    refused = auditor.get("/audit?date_from=2026-05-01&date_to=2026-04-01")
    assert refused.status_code == 422 and 'data-field-error="date_to"' in text(refused)
    assert auditor.get("/audit?date_from=khong-phai-ngay").status_code == 422


def test_the_filtered_trail_exports_as_csv(spending, roles, app):
    response = Browser(app, "kiemtoan").get("/audit.csv?entity=expenditure")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][0] == "Số thứ tự" and len(rows) > 1
    assert all(row[4] == "Khoản chi" for row in rows[1:-1])
    assert rows[-1][0] == f"Tổng cộng: {len(rows) - 2} dòng"  # the list component's last line
    assert not any(cell.startswith("=") for row in rows for cell in row)  # the hostile direct spending
    assert Browser(app, "kiemtoan").get("/audit.csv?date_to=x").status_code == 422


def test_the_chain_check_is_kept_and_shown(spending, roles, app):
    auditor = Browser(app, "kiemtoan")
    assert "Chuỗi chưa được kiểm tra lần nào." in text(auditor.get("/audit"))
    response = auditor.submit("/audit", "/audit/verify", {})
    assert response.status_code == 302
    page = text(auditor.get("/audit"))
    assert "Chuỗi hợp lệ" in page and "kiemtoan" in page
    assert Browser(app, "donvi").submit("/dashboard", "/audit/verify", {}).status_code == 403
