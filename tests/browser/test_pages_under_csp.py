"""The demo's pages under the Content-Security-Policy: what the inline script and style= attributes
did is done by app.js and app.css (bars, year filters, the confirmation before withdrawing), and
chromium reports no violation (the `browsing` fixture fails the test on any)."""
import re

import pytest

from tests.browser.pages import by_testid, login

pytestmark = pytest.mark.browser
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
       "base-uri 'self'; form-action 'self'; frame-ancestors 'none'")


def demo_login(page, username):
    from app.demo import DEMO_PASSWORD
    login(page, username, DEMO_PASSWORD)


def test_the_guard_sees_a_violation(browsing, live_server):
    page = browsing.page()
    response = page.goto("/login")
    assert response.headers["content-security-policy"] == CSP
    page.evaluate("document.body.insertAdjacentHTML('beforeend', '<div style=\"color: red\">x</div>')")
    problems = browsing.take_problems()
    assert problems and "Content Security Policy" in problems[0]


def test_envelope_bars_are_drawn_by_the_script(demo, browsing, artifacts):
    page = browsing.page()
    demo_login(page, "taichinh")
    page.goto("/envelopes")
    bars = page.locator("[data-testid=envelope-row] .progress-bar[data-pct]")
    assert bars.count() >= 2
    drawn = 0
    for i in range(bars.count()):
        bar = bars.nth(i)
        pct = int(bar.get_attribute("data-pct"))
        width = bar.evaluate("el => el.getBoundingClientRect().width / el.parentElement.getBoundingClientRect().width")
        assert abs(width * 100 - pct) < 1.5, (pct, width)
        drawn += pct > 0
    assert drawn >= 1  # the demo has allocated part of its envelopes
    page.screenshot(path=str(artifacts / "csp-envelopes.png"), full_page=True)

    page.goto("/dashboard")
    assert by_testid(page, "unit-row").count() >= 3  # finance sees the province by unit
    page.screenshot(path=str(artifacts / "csp-dashboard-finance.png"), full_page=True)


def test_year_filter_submits_on_change(demo, browsing):
    page = browsing.page()
    demo_login(page, "sovhttdl")
    page.goto("/dashboard")
    assert by_testid(page, "allocation-row").count() >= 3
    options = page.locator("#f-year option").all_inner_texts()
    other = next(y for y in options if y != page.locator("#f-year").input_value())
    page.locator("#f-year").select_option(other)
    page.wait_for_url(re.compile(rf"/dashboard\?year={other}$"))
    assert other in page.locator("h1").inner_text()


def test_withdrawing_asks_first(demo, browsing, artifacts):
    page = browsing.page()
    demo_login(page, "donvi")
    page.goto("/requests?status=draft")
    page.locator("[data-testid=request-row] a").first.click()
    page.wait_for_url(re.compile(r"/requests/\d+$"))
    url = page.url
    assert by_testid(page, "status").get_attribute("data-status") == "draft"
    page.screenshot(path=str(artifacts / "csp-request-detail.png"), full_page=True)

    questions = []
    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.dismiss()))
    by_testid(page, "withdraw-request").click()
    page.reload()
    assert questions == ["Rút đề nghị này? Đề nghị đã rút không gửi lại được."]
    assert by_testid(page, "status").get_attribute("data-status") == "draft"  # cancelled: nothing sent

    page.once("dialog", lambda dialog: dialog.accept())
    by_testid(page, "withdraw-request").click()
    page.wait_for_selector("[data-testid=status][data-status=withdrawn]")
    assert page.url == url


def test_request_form_works_for_the_dic(demo, browsing, artifacts):
    page = browsing.page()
    demo_login(page, "sovhttdl")
    page.goto("/requests/new")
    assert "Sở Văn hóa, Thể thao và Du lịch" in page.content()
    row = page.locator("tr.line-row").first
    row.locator("[data-field=category]").select_option("press")
    row.locator("[data-field=description]").fill("Tin, bài trên báo điện tử Gia Lai")
    row.locator("[data-field=quantity]").fill("10")
    row.locator("[data-field=unit_cost]").fill("3500000")
    row.locator("[data-field=unit_cost]").blur()
    assert row.locator("[data-field=unit_cost]").input_value() == "3.500.000"
    assert by_testid(page, "lines-total").inner_text() == "35.000.000 ₫"
    rows = page.locator("tr.line-row").count()
    by_testid(page, "add-line").click()
    assert page.locator("tr.line-row").count() == rows + 1
    page.screenshot(path=str(artifacts / "csp-request-form.png"), full_page=True)
