"""Form inputs in a browser (issue 20 item 6): an amount is grouped with dots as it is typed, the
caret staying after the digit just typed; a date is typed dd/mm/yyyy (or as eight digits) and read
by the server; the required fields' legend is on the page. axe-core checks the pages (conftest)."""
import re

import pytest

from tests import support
from tests.browser.pages import by_testid, login

pytestmark = pytest.mark.browser


def caret(box) -> int:
    return box.evaluate("el => el.selectionStart")


def test_an_amount_gets_its_dots_and_a_typed_date_is_accepted(roles, browsing):
    finance = browsing.page()
    login(finance, "taichinh")
    finance.goto("/envelopes")
    form = by_testid(finance, "envelope-form")
    assert form.locator(".required-legend").count() == 1

    amount = form.locator("[name=amount]")
    amount.press_sequentially("1250000")
    assert amount.input_value() == "1.250.000" and caret(amount) == len("1.250.000")
    # a digit typed in the middle: the dots move, the caret stays after it
    amount.evaluate("el => el.setSelectionRange(1, 1)")  # 1|.250.000
    amount.press_sequentially("9")
    assert amount.input_value() == "19.250.000" and caret(amount) == 2
    # deleting across a dot deletes the digit before it, not only the dot
    amount.evaluate("el => el.setSelectionRange(3, 3)")  # 19.|250.000
    amount.press("Backspace")
    assert amount.input_value() == "1.250.000" and caret(amount) == 1
    # what is not a whole number is left as typed, for the server's message
    amount.fill("2,5")
    assert amount.input_value() == "2,5"
    amount.fill("")
    amount.press_sequentially("1.500.000.000")
    assert amount.input_value() == "1.500.000.000"

    form.locator("[name=fiscal_year]").fill(str(support.YEAR))
    form.locator("[name=code]").fill("TTCS")
    form.locator("[name=name]").fill("Kinh phí truyền thông chính sách")
    form.locator("[name=decision_no]").fill("215/QĐ-UBND")
    day = form.locator("[name=decision_date]")
    assert day.get_attribute("type") == "text" and day.get_attribute("placeholder") == "dd/mm/yyyy"
    assert re.fullmatch(r"\d{2}/\d{2}/\d{4}", day.input_value())  # today, offered as dd/mm/yyyy
    day.fill("")
    day.press_sequentially(f"31/02/{support.YEAR}")
    with finance.expect_navigation() as refused:
        by_testid(finance, "envelope-form").locator("button[type=submit]").click()
    assert refused.value.status == 422
    form = by_testid(finance, "envelope-form")
    assert "không có ngày 31" in form.locator("[data-field-error=decision_date]").inner_text()
    assert form.locator("[name=amount]").input_value() == "1.500.000.000"
    day = form.locator("[name=decision_date]")
    assert day.input_value() == f"31/02/{support.YEAR}"
    day.fill("")
    day.press_sequentially(f"0502{support.YEAR}")
    day.blur()
    assert day.input_value() == f"05/02/{support.YEAR}"
    form.locator("button[type=submit]").click()
    finance.wait_for_url(re.compile(r"/envelopes/\d+$"))
    page = finance.locator("main").inner_text()
    assert "1.500.000.000 ₫" in page and f"05/02/{support.YEAR}" in page
