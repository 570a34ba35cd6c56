"""Issue 20 item 7: at 390 px (a phone) the dashboard, the lists and the forms scroll down, never
sideways: the page is no wider than the screen for every role (wide tables scroll inside their own
box)."""
import pytest

from tests.browser.test_pages_under_csp import demo_login

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}
PAGES = {
    "donvi": ("/dashboard", "/requests", "/requests/new", "/commissions", "/expenditures", "/expenditures/new",
              "/reports", "/notices"),
    "sovhttdl": ("/dashboard", "/commissions", "/commissions/new", "/deliverables/overdue", "/reports/flags"),
    "taichinh": ("/finance", "/commissions/queue", "/envelopes", "/transfers", "/years", "/expenditures", "/reports",
                 "/reports/outputs", "/audit"),
    "kiemtoan": ("/dashboard", "/expenditures", "/audit", "/reports/flags"),
    "quantri": ("/users", "/units", "/suppliers", "/units/STP"),
}


def overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


@pytest.mark.parametrize("username", list(PAGES))
def test_no_page_scrolls_sideways_on_a_phone(demo, browsing, artifacts, username):  # noqa: F811
    page = browsing.page()
    demo_login(page, username)
    page.set_viewport_size(PHONE)
    wide = {}
    for path in PAGES[username]:
        response = page.goto(path)
        assert response.status < 400, (path, response.status)
        if overflow(page) > 0:
            wide[path] = overflow(page)
            page.screenshot(path=str(artifacts / f"phone-{username}{path.replace('/', '-')}.png"), full_page=True)
    assert wide == {}
