"""The "Điều chỉnh dự toán" page and the transfers on the allocation pages, with the Flask test client
logged in through /login: finance transfers with amounts typed as people type them, a refusal shows
its message beside the field and keeps what was typed, nothing changes on a refusal, a unit officer
is refused; both allocations' pages show the transfer and lead to each other."""
import re

import pytest

from tests import support
from tests.fixtures.worlds import build_world, saved_world
from tests.support import Browser, database_fingerprint, text

YEAR = support.YEAR
PAGE = f"/transfers?fiscal_year={YEAR}"
ACTION = f"/transfers?fiscal_year={YEAR}"


@saved_world(scope="module")
def _transfer_pages_world(app, _roles_world):
    return build_world(app, "transfer_pages.budget",
                       lambda: _build_budget(_roles_world.clients(app)), base=_roles_world)


@pytest.fixture
def budget(_transfer_pages_world):
    """An envelope; STP's training allocation of 100,000,000 and the DIC's press allocation of
    60,000,000 with a commission of 20,000,000 approved on it (40,000,000 free).
    Built once for the module, restored before each test."""
    return _transfer_pages_world.copy()


def _build_budget(roles):
    finance = roles["finance"]
    envelope = support.envelope(finance, 1_000_000_000)["id"]
    stp = support.allocation(finance, envelope, "STP", 100_000_000, category="training", decision_no="245/QĐ-STC")["id"]
    dic = support.allocation(finance, envelope, "SVHTTDL", 60_000_000, decision_no="246/QĐ-STC")["id"]
    from tests.commissions import builders
    builders.approve(finance, builders.propose(roles["dic"], dic, builders.supplier(finance)["id"])["id"])
    return {"envelope": envelope, "stp": stp, "dic": dic}


def form(source, target, amount="5.000.000", **extra):
    return {"from_allocation_id": str(source), "to_allocation_id": str(target), "amount": amount,
            "decision_no": "812/QĐ-UBND", "decision_date": f"{YEAR}-06-15",
            "reason": "Điều chỉnh theo tiến độ", **extra}


def selected(page, name) -> str | None:
    block = re.search(rf'<select[^>]*name="{name}".*?</select>', page, re.S).group(0)
    match = re.search(r'<option value="(\d*)"\s+selected', block)
    return match.group(1) if match else None


def field_error(page, name) -> str:
    match = re.search(rf'data-field-error="{name}">(.*?)</div>', page, re.S)
    return match.group(1).strip() if match else ""


def test_finance_transfers_from_the_page(app, roles, budget):
    finance = Browser(app, "taichinh")
    page = text(finance.get(PAGE))
    assert 'href="/transfers"' in page  # in the navigation
    assert 'data-testid="transfer-form"' in page and 'data-testid="empty-transfers"' in page
    assert f'<option value="{budget["stp"]}"' in page and f'<option value="{budget["dic"]}"' in page
    response = finance.submit(PAGE, ACTION, form(budget["dic"], budget["stp"], "40.000.000 ₫"))
    assert response.status_code == 302 and response.headers["Location"].endswith(PAGE)
    after = text(finance.get(PAGE))
    assert "Đã chuyển 40.000.000 ₫ từ phân bổ 246/QĐ-STC sang phân bổ 245/QĐ-STC" in after
    row = re.search(r'data-testid="transfer-row".*?</tr>', after, re.S).group(0)
    assert "812/QĐ-UBND" in row and "15/06/%d" % YEAR in row and "40.000.000 ₫" in row
    assert f'/allocations/{budget["dic"]}"' in row and f'/allocations/{budget["stp"]}"' in row
    got = support.get(roles["finance"], f"/api/v1/allocations/{budget['dic']}")
    assert (got["amount"], got["transferred"], got["available"]) == (20_000_000, -40_000_000, 0)


@pytest.mark.parametrize("changes,fields", [
    ({"amount": "1.0000", "reason": "  "}, ("amount", "reason")),
    ({"amount": "9" * 5000}, ("amount",)),
    ({"amount": "0"}, ("amount",)),
    ({"decision_date": f"{YEAR + 1}-01-02"}, ("decision_date",)),
    ({"decision_no": "", "decision_date": "31/06/2026"}, ("decision_no", "decision_date")),
    ({"to_allocation_id": ""}, ("to_allocation_id",)),
    ({"to_allocation_id": "999999"}, ("to_allocation_id",)),
], ids=["badly grouped and blank", "5000 digits", "zero", "date outside the year", "no number, bad date",
        "no destination", "unknown destination"])
def test_bad_input_is_shown_beside_the_fields_and_nothing_is_lost(app, budget, changes, fields):
    finance = Browser(app, "taichinh")
    before = database_fingerprint(app)
    typed = form(budget["dic"], budget["stp"], **changes)
    response = finance.submit(PAGE, ACTION, typed)
    assert response.status_code == 422
    page = text(response)
    for name in fields:
        assert field_error(page, name), (name, page[:3000])
    assert 'data-testid="form-alert"' in page
    assert selected(page, "from_allocation_id") == str(budget["dic"])
    assert selected(page, "to_allocation_id") == (str(budget["stp"]) if typed["to_allocation_id"] == str(budget["stp"])
                                                  else None)
    assert "Điều chỉnh theo tiến độ" in page or "reason" in fields
    if len(typed["amount"]) < 100:
        assert f'value="{typed["amount"]}"' in page
    assert database_fingerprint(app) == before


def test_more_than_the_source_can_give_is_refused_with_what_it_can(app, budget):
    finance = Browser(app, "taichinh")
    before = database_fingerprint(app)
    response = finance.submit(PAGE, ACTION, form(budget["dic"], budget["stp"], "40.000.001"))
    assert response.status_code == 409
    page = text(response)
    assert "chỉ còn chuyển đi được 40.000.000 ₫" in page
    assert field_error(page, "amount") == "Tối đa 40.000.000 ₫."
    assert 'value="40.000.001"' in page and 'value="812/QĐ-UBND"' in page
    assert selected(page, "to_allocation_id") == str(budget["stp"])
    assert database_fingerprint(app) == before


def test_a_unit_officer_is_refused_and_nothing_changes(app, budget):
    browsers = {username: Browser(app, username) for username in ("donvi", "sotttt", "kiemtoan", "quantri")}
    before = database_fingerprint(app)
    for username, browser in browsers.items():
        home = browser.client.get("/", follow_redirects=True)  # every page carries the logout form's token
        assert home.status_code == 200 and 'href="/transfers"' not in text(home)
        assert browser.get(PAGE).status_code == 403
        response = browser.client.post(ACTION, data={"csrf_token": support.csrf_of(home),
                                                     **form(budget["dic"], budget["stp"])})
        assert response.status_code == 403, username
    anonymous = app.test_client()
    assert anonymous.get(PAGE).status_code == 302
    assert database_fingerprint(app) == before


def test_the_form_needs_its_csrf_token(app, budget):
    finance = Browser(app, "taichinh")
    before = database_fingerprint(app)
    assert finance.client.post(ACTION, data=form(budget["dic"], budget["stp"])).status_code == 400
    assert database_fingerprint(app) == before


def test_both_allocation_pages_show_the_transfer_and_lead_to_each_other(app, roles, budget):
    finance = Browser(app, "taichinh")
    source_page = text(finance.get(f"/allocations/{budget['dic']}"))
    link = re.search(r'data-testid="transfer-from-here"\s+href="([^"]+)"', source_page).group(1)
    assert link == f"/transfers?fiscal_year={YEAR}&from_allocation_id={budget['dic']}"
    opened = text(finance.get(link))
    assert selected(opened, "from_allocation_id") == str(budget["dic"])
    without_year = text(finance.get(f"/transfers?from_allocation_id={budget['dic']}"))
    assert f"năm {YEAR}" in without_year and selected(without_year, "from_allocation_id") == str(budget["dic"])
    assert finance.submit(PAGE, ACTION, form(budget["dic"], budget["stp"], "12.500.000")).status_code == 302

    source_page = text(finance.get(f"/allocations/{budget['dic']}"))
    out = re.search(r'data-testid="transfer-out".*?</tr>', source_page, re.S).group(0)
    assert "812/QĐ-UBND" in out and f"15/06/{YEAR}" in out and "−12.500.000 ₫" in out
    assert "Điều chỉnh theo tiến độ" in out and f'href="/allocations/{budget["stp"]}"' in out
    assert 'data-testid="allocation-transferred">-12.500.000 ₫' in source_page
    target_page = text(finance.get(f"/allocations/{budget['stp']}"))
    into = re.search(r'data-testid="transfer-in".*?</tr>', target_page, re.S).group(0)
    assert "+12.500.000 ₫" in into and f'href="/allocations/{budget["dic"]}"' in into and "246/QĐ-STC" in into
    assert 'data-testid="allocation-transferred">+12.500.000 ₫' in target_page
    for page in (source_page, target_page):
        history = re.search(r'data-testid="history">.*?</ol>', page, re.S).group(0)
        assert "Điều chỉnh dự toán giữa các phân bổ" in history and "12.500.000 ₫" in history

    # STP's officer sees the transfer into its allocation; the DIC's allocation is named, not linked
    unit_page = text(Browser(app, "donvi").get(f"/allocations/{budget['stp']}"))
    into = re.search(r'data-testid="transfer-in".*?</tr>', unit_page, re.S).group(0)
    assert "246/QĐ-STC" in into and "/allocations/" not in into
    assert 'data-testid="transfer-from-here"' not in unit_page


def test_the_execution_dashboard_shows_what_moved(app, roles, budget):
    finance = Browser(app, "taichinh")
    assert finance.submit(PAGE, ACTION, form(budget["dic"], budget["stp"], "7.000.000")).status_code == 302
    page = text(Browser(app, "kiemtoan").get(f"/reports?fiscal_year={YEAR}&by=unit"))
    rows = dict(re.findall(r'data-key="([^"]+)".*?data-testid="row-transferred">([^<]+)<', page, re.S))
    assert rows == {"STP": "+7.000.000 ₫", "SVHTTDL": "-7.000.000 ₫"}
    assert 'data-testid="total-transferred"' not in page  # the province's total moved nothing
    unit_page = text(Browser(app, "donvi").get(f"/reports?fiscal_year={YEAR}&by=unit"))
    assert re.search(r'data-testid="total-transferred">\+7.000.000 ₫<', unit_page)


def test_the_page_costs_the_same_statements_whatever_the_number_of_transfers(app, roles, budget):
    finance = Browser(app, "taichinh")

    def statements():
        with support.CountedStatements(app) as counted:
            assert finance.get(PAGE).status_code == 200
        return len(counted)

    def transfer(source, target):
        support.ok(roles["finance"].post("/api/v1/transfers", json={
            **form(source, target), "from_allocation_id": source, "to_allocation_id": target,
            "amount": 1_000_000}), 201)

    transfer(budget["dic"], budget["stp"])
    once = statements()
    for _ in range(5):
        transfer(budget["stp"], budget["dic"])
    assert statements() == once
