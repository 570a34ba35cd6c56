"""Each role logs in and lands on its working page; a logged-out session cannot be revived."""
from urllib.parse import urlsplit

import pytest

from app.core.permissions import ROLE_LABELS
from tests.browser.pages import by_testid, login, logout

pytestmark = pytest.mark.browser

PEOPLE = {
    "unit_officer": ("donvi", "STP"),
    "dic_officer": ("sovhttdl", "SVHTTDL"),
    "finance_officer": ("taichinh", None),
    "auditor": ("kiemtoan", None),
    "admin": ("quantri", None),
}
LANDINGS = {role: ("/work", "Việc cần làm") for role in PEOPLE}  # path, heading: issue 19, every role


@pytest.fixture
def people(world):
    world.unit("STC", "Sở Tài chính")
    world.unit("SVHTTDL", "Sở Văn hóa, Thể thao và Du lịch")
    world.unit("STP", "Sở Tư pháp")
    for role, (username, unit_code) in PEOPLE.items():
        world.user(username, role, unit_code, full_name=f"Người {username}")
    return PEOPLE


@pytest.mark.parametrize("role", list(PEOPLE))
def test_each_role_lands_on_its_working_page(people, page, role):
    username, unit_code = people[role]
    path, heading = LANDINGS[role]
    login(page, username)
    assert urlsplit(page.url).path == path  # straight to the work, no welcome page in between
    assert by_testid(page, "error-message").count() == 0
    assert heading in page.locator("h1").first.inner_text()
    whoami = by_testid(page, "whoami").inner_text()
    assert f"Người {username}" in whoami
    if unit_code:
        assert unit_code in whoami
    by_testid(page, "whoami").click()  # the role is in the menu under the name
    assert ROLE_LABELS[role] in by_testid(page, "whoami-role").inner_text()
    page.goto("/no-such-page")
    page.click(".navbar-brand")  # the brand link leads back to the working page, even from an error
    page.wait_for_url(f"**{path}")
    logout(page)
    assert by_testid(page, "whoami").count() == 0
    assert "Bạn đã đăng xuất." in page.content()


def test_back_button_and_old_cookie_after_logout(people, browsing):
    context = browsing.context()
    page = context.new_page()
    login(page, "donvi")
    page.goto("/dashboard")
    assert "Tổng quan kinh phí năm" in page.locator("h1").inner_text()
    cookies = context.cookies()
    assert cookies, "the login sets a session cookie"
    copy = browsing.context()
    copy.add_cookies(cookies)
    copied = copy.new_page()
    copied.goto("/dashboard")
    assert by_testid(copied, "whoami").count() == 1  # the copied cookie works while logged in

    response = page.request.get("/dashboard")
    assert "no-store" in response.headers["cache-control"]

    logout(page)
    page.go_back()
    page.wait_for_load_state()
    # no-store: the browser asks the server again, which sends it to the login form
    assert "/login" in page.url
    assert by_testid(page, "whoami").count() == 0
    assert "Tổng quan kinh phí năm" not in page.content()
    page.reload()
    assert "/login" in page.url and by_testid(page, "whoami").count() == 0

    # the cookie captured before logging out names a revoked server-side session
    thief = browsing.context()
    thief.add_cookies(cookies)
    stolen = thief.new_page()
    stolen.goto("/dashboard")
    assert "/login" in stolen.url
    assert by_testid(stolen, "whoami").count() == 0
    assert "Tổng quan kinh phí năm" not in stolen.content()
