"""Input that used to reach Python or the database and fail there: integers longer than Python
converts, ids beyond the columns, page numbers beyond any offset. Each answers 4xx, never a 500."""
import html
import re

import pytest

from tests.core.test_errors import assert_error
from tests.support import PASSWORD

HUGE = "9" * 5000  # above Python's 4,300-digit limit for int <-> str (CVE-2020-10735)
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def logged_in(app, username):
    client = app.test_client()
    page = client.get("/login")
    token = CSRF.search(page.get_data(as_text=True)).group(1)
    response = client.post("/login", data={"csrf_token": token, "username": username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def _raw_json(client, path, text):
    return client.post(path, data=text, headers={"Content-Type": "application/json"})


def test_a_5000_digit_integer_is_400_for_an_anonymous_caller(roles):
    response = _raw_json(roles["anonymous"], "/api/v1/auth/token",
                         '{"username": "donvi", "password": ' + HUGE + "}")
    body = assert_error(response, 400, "bad_request")
    assert "json" in body["details"]


@pytest.mark.parametrize("path,who,template", [
    ("/api/v1/envelopes", "finance",
     '{"fiscal_year": 2026, "code": "X", "name": "Nguồn", "amount": %s, "decision_no": "1", '
     '"decision_date": "2026-02-01"}'),
    ("/api/v1/units", "admin", '{"code": "SYT", "name": "Sở Y tế", "kind": "department", "x": [%s]}'),
])
def test_a_5000_digit_integer_is_400_for_an_authenticated_caller(roles, path, who, template):
    before = roles["finance"].get("/api/v1/audit?per_page=1").get_json()["total"]
    body = assert_error(_raw_json(roles[who], path, template % HUGE), 400, "bad_request")
    assert "json" in body["details"]
    assert roles["finance"].get("/api/v1/audit?per_page=1").get_json()["total"] == before


@pytest.mark.parametrize("path", ["/api/v1/allocations/9223372036854775808", "/api/v1/requests/2147483648",
                                  "/api/v1/envelopes/2147483648", "/api/v1/requests/99999999999999999999999",
                                  "/api/v1/documents/9223372036854775807"])
def test_ids_beyond_the_columns_are_404(roles, path):
    assert_error(roles["finance"].get(path), 404, "not_found")


def test_an_id_beyond_the_columns_is_a_404_page(app, roles):
    finance = logged_in(app, "taichinh")
    for path in ("/requests/9223372036854775808", "/allocations/2147483648", "/documents/2147483648"):
        response = finance.get(path)
        assert response.status_code == 404, path
        assert "text/html" in response.content_type
        assert 'data-testid="error-message"' in response.get_data(as_text=True)


def test_a_huge_audit_page_number(app, roles):
    page = logged_in(app, "taichinh").get("/audit?page=9223372036854775807")
    assert page.status_code == 200
    assert "text/html" in page.content_type and "<table" in html.unescape(page.get_data(as_text=True))
    body = assert_error(roles["finance"].get("/api/v1/audit?page=9223372036854775807"), 422, "validation_error")
    assert "page" in body["details"]
