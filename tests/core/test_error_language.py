"""The error pages speak the reader's language (issue 20 item 6): a refusal of access read in English
is in English; the API keeps the contract's Vietnamese text."""
from tests.support import Browser, text


def test_the_403_page_follows_the_language(roles, app):
    unit = Browser(app, "donvi")
    page = text(unit.get("/users"))
    assert "403 · Không có quyền" in page and "Bạn không có quyền thực hiện thao tác này." in page
    unit.get("/lang/en")
    page = text(unit.get("/users"))
    assert "403 · Forbidden" in page and "You are not allowed to do this." in page
    assert "Bạn không có quyền" not in page
    body = roles["unit"].get("/api/v1/users").get_json()
    assert body["message"] == "Bạn không có quyền thực hiện thao tác này."
