"""The grouped navigation (issue 19 item 2) on the demo, for every role in both languages: one line
at 1366 px, collapsed behind the toggler at 390 px, nothing wider than the window, and the user's
name, the language switch and the log-out button always reachable; the counts of waiting work
appear as badges. Screenshots go to test-artifacts/nav-<width>-<lang>-<role>.png."""
import json

import pytest

from app.demo import DEMO_USERS
from tests.browser.pages import by_testid, open_nav
from tests.browser.test_pages_under_csp import demo_login

pytestmark = pytest.mark.browser

# one person of each role; for the units An Nhơn (annhon), whose demo request was returned
ROLES = {role: username for username, _name, role, _unit in DEMO_USERS}
WIDE, PHONE = {"width": 1366, "height": 900}, {"width": 390, "height": 844}


def _record(artifacts, key, figures):
    """The measured figures, one JSON line per role, language and width (test-artifacts/nav-figures.jsonl)."""
    with open(artifacts / "nav-figures.jsonl", "a", encoding="utf-8") as out:
        out.write(json.dumps({"case": key, **figures}) + "\n")


def _widths(page) -> dict:
    return page.evaluate("""() => ({scroll_width: document.documentElement.scrollWidth,
        viewport: window.innerWidth,
        nav_height: Math.round(document.querySelector('nav.navbar').getBoundingClientRect().height)})""")


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def _check_wide(page, artifacts, lang, role):
    page.set_viewport_size(WIDE)
    page.goto("/work")
    assert _fits(page), f"{role} {lang}: the page is wider than 1366 px"
    nav = page.locator("nav.navbar").bounding_box()
    brand = page.locator(".navbar-brand").bounding_box()
    assert nav["height"] < brand["height"] * 2 + 24, f"{role} {lang}: the navigation wraps ({nav['height']} px)"
    for name in ("whoami", "lang-switch", "logout"):
        box = by_testid(page, name).first.bounding_box()
        assert by_testid(page, name).first.is_visible() and box["x"] + box["width"] <= 1366, (role, lang, name)
    _record(artifacts, f"1366 {lang} {role}", {**_widths(page),
            "logout_right": round(by_testid(page, "logout").first.bounding_box()["x"]
                                  + by_testid(page, "logout").first.bounding_box()["width"])})
    page.screenshot(path=str(artifacts / f"nav-1366-{lang}-{role}.png"))
    # a menu opens on one click and closes on the next, with no inline script
    first = page.locator("[data-testid=nav-group] > button").first
    first.click()
    assert page.locator("[data-testid=nav-group] .dropdown-menu.show").count() == 1
    page.screenshot(path=str(artifacts / f"nav-1366-{lang}-{role}-open.png"))
    first.click()


def _check_phone(page, artifacts, lang, role):
    page.set_viewport_size(PHONE)
    page.goto("/work")
    assert _fits(page), f"{role} {lang}: the page is wider than 390 px"
    assert not by_testid(page, "logout").is_visible()  # collapsed behind the toggler
    by_testid(page, "nav-toggler").click()
    page.wait_for_selector("#mainnav.collapse.show")  # open, its animation over
    for name in ("whoami", "lang-switch", "logout"):
        by_testid(page, name).first.wait_for(state="visible")
    assert _fits(page), f"{role} {lang}: the open menu is wider than 390 px"
    _record(artifacts, f"390 {lang} {role} (menu open)", _widths(page))
    page.screenshot(path=str(artifacts / f"nav-390-{lang}-{role}.png"), full_page=True)


@pytest.mark.parametrize("role", list(ROLES))
def test_the_menu_fits_and_keeps_the_essentials_in_both_languages(demo, browsing, artifacts, role):  # noqa: F811
    page = browsing.page()
    demo_login(page, ROLES[role])
    assert page.url.endswith("/work")
    for lang in ("vi", "en"):
        if lang == "en":
            page.set_viewport_size(WIDE)
            page.locator("[data-testid=lang-switch] a[href='/lang/en']").click()
            page.wait_for_load_state()
            assert page.locator("html").get_attribute("lang") == "en"
        _check_wide(page, artifacts, lang, role)
        _check_phone(page, artifacts, lang, role)
    page.set_viewport_size(WIDE)
    page.goto("/lang/vi")


def test_the_badges_lead_to_the_work(demo, browsing, artifacts):  # noqa: F811
    """Finance's demo has commissions to approve: the badge says how many, and the entry opens them."""
    page = browsing.page()
    demo_login(page, "taichinh")
    total = page.locator('[data-testid="nav-work.index"]').locator("[data-testid=nav-badge]")
    assert int(total.inner_text()) >= 1
    proposed = page.locator("[data-testid=work-item][data-key=commissions_proposed]")
    count = int(proposed.locator("[data-testid=work-count]").inner_text())
    group = page.locator("[data-testid=nav-group][data-group=commissions]")
    assert int(group.locator("button [data-testid=nav-badge]").inner_text()) >= count
    open_nav(page, "Duyệt đặt hàng")
    page.wait_for_url("**/commissions/queue")
    page.goto("/work")
    proposed.locator("[data-testid=work-row] a").first.click()
    page.wait_for_url("**/commissions/*")
    page.screenshot(path=str(artifacts / "work-finance-commission.png"))
