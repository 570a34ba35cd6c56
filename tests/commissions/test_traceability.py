"""Traceability downwards (issue 20 item 3): the allocation page lists the commissions and the
entries drawn on it, and their totals equal its balances (committed, spent), in a fixed number of
statements whatever their number."""
import re

from tests import support
from tests.commissions import builders
from tests.support import Browser, text


def figure(page, testid) -> int:
    match = re.search(rf'data-testid="{testid}">([^<]+)<', page)
    assert match, testid
    value = match.group(1).replace("−", "-").replace("₫", "").replace(".", "").strip()
    return int(value)


def test_the_allocation_lists_what_was_drawn_on_it_and_adds_up(spending, roles, app):
    allocation = spending.budget.allocation("unit", "training")
    page = text(Browser(app, "taichinh").get(f"/allocations/{allocation}"))
    balances = support.get(roles["finance"], f"/api/v1/allocations/{allocation}")
    assert figure(page, "commissions-committed") == balances["committed"]
    assert figure(page, "entries-spent") == balances["spent"]
    assert spending.training["number"] in page
    # the reversed payment and its reversal are both listed, the reversal as money coming back
    assert spending.reversed_payment["number"] in page and spending.reversal["number"] in page
    assert page.count('data-testid="allocation-entry"') == 2 and "−10.000.000" in page


def test_an_allocation_without_commissions_says_so(spending, roles, app):
    page = text(Browser(app, "donvi").get(f"/allocations/{spending.budget.allocation('unit', 'operations')}"))
    assert "Chưa có đặt hàng nào trên phân bổ này." in page
    assert page.count('data-testid="allocation-entry"') == 1


def test_the_panels_cost_the_same_statements_whatever_the_number_of_rows(roles, budget, app):
    allocation = budget.allocation("dic", "press")
    finance = Browser(app, "taichinh")

    def statements():
        with support.CountedStatements(app) as counted:
            assert finance.get(f"/allocations/{allocation}").status_code == 200
        return len(counted)

    builders.signed_commission(roles["finance"], roles["dic"], allocation, budget.suppliers["press"])
    one = statements()
    for _ in range(3):
        builders.signed_commission(roles["finance"], roles["dic"], allocation, budget.suppliers["press"])
    assert statements() == one
