"""Segregation of duties (issue 17, item 6; DESIGN §11): an admin, who reads no money, reads no
amounts, vouchers or payment links through the audit trail either, API or page; finance and
auditors read all of it."""
import pytest

from tests.auth.helpers import web_login
from tests.support import text

ACCOUNT_ENTITIES = {"user", "unit", "supplier"}


def trail(client, **query):
    response = client.get("/api/v1/audit", query_string={"per_page": 200, **query})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_the_admins_audit_trail_holds_accounts_only(spending, roles):
    everything = trail(roles["finance"])
    money = {entry["entity"] for entry in everything["items"]} - ACCOUNT_ENTITIES
    assert {"expenditure", "commission", "allocation"} <= money  # there is money in the trail
    mine = trail(roles["admin"])
    assert mine["total"] > 0 and {entry["entity"] for entry in mine["items"]} <= ACCOUNT_ENTITIES
    assert mine["total"] == sum(1 for entry in everything["items"] if entry["entity"] in ACCOUNT_ENTITIES) \
        or everything["total"] > 200
    for entity in ("expenditure", "commission", "allocation", "envelope", "request", "deliverable"):
        assert trail(roles["admin"], entity=entity)["total"] == 0, entity
    voucher = spending.payment["voucher_no"]
    assert voucher not in str(mine) and str(spending.payment["amount"]) not in str(mine)


@pytest.mark.parametrize("who", ["finance", "auditor"])
def test_finance_and_auditors_read_the_whole_trail(spending, roles, who):
    assert trail(roles[who], entity="expenditure")["total"] > 0


def test_the_admins_audit_page_shows_no_money(spending, roles, app):
    browser, _ = web_login(app, "quantri")
    page = text(browser.get("/audit"))
    assert "user" in page
    for word in ("expenditure", spending.payment["voucher_no"], "commission.approve"):
        assert word not in page, word
    filtered = text(browser.get("/audit?entity=expenditure"))
    assert spending.payment["voucher_no"] not in filtered
