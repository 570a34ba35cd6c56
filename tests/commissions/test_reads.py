"""Reads that stay cheap: lists run the same statements whatever the page size; details load
only what they return."""
import pytest

from tests import support
from tests.commissions import builders
from tests.fixtures.worlds import build_world, saved_world


@saved_world(scope="module")
def _many_world(app, _roles_world, _budget_world):
    return build_world(app, "commission_reads.many",
                       lambda: _build_many(_roles_world.clients(app), _budget_world.copy()), base=_budget_world)


@pytest.fixture
def many(_many_world):
    """On the `budget` world: twelve commissions of two units with three deliverables each, some
    approved and signed. Built once for the module, restored before each test."""
    return _many_world.copy()


def _build_many(roles, budget):
    dic, finance = roles["dic"], roles["finance"]
    created = []
    for i in range(6):
        created.append(builders.press_commission(roles, budget, *(builders.item(f"Tin {i}-{j}", "online_article")
                                                                  for j in range(3))))
        created.append(builders.unit_commission(roles, budget, *(builders.item(f"Lớp {i}-{j}", "training_course")
                                                                 for j in range(3))))
    for commission in created[:4]:
        builders.approve(finance, commission["id"])
    builders.sign(dic, created[0]["id"])
    builders.deliver(dic, created[0]["deliverables"][0]["id"])
    return created


LIST_STATEMENTS = {
    "/api/v1/commissions": 4,   # token; count; page with unit and supplier; deliverables of the page
    "/api/v1/deliverables": 3,  # token; count; page with its commission
    "/api/v1/suppliers": 3,     # token; count; page
}


@pytest.mark.parametrize("path", LIST_STATEMENTS)
@pytest.mark.parametrize("role", ["finance", "dic"])
def test_lists_run_the_same_statements_for_one_row_or_fifty(app, roles, many, path, role):
    one, small = support.statements_for(app, roles[role], f"{path}?per_page=1")
    fifty, large = support.statements_for(app, roles[role], f"{path}?per_page=50")
    late, _ = support.statements_for(app, roles[role], f"{path}?per_page=2&page=3")
    assert len(small["items"]) == 1 and len(large["items"]) == large["total"] > 1
    assert one == fifty == late == LIST_STATEMENTS[path], (one, fifty, late)


DETAIL_STATEMENTS = {
    "/api/v1/commissions/{commission}": 3,    # token; commission with its unit and supplier; its deliverables
    "/api/v1/deliverables/{deliverable}": 3,  # token; deliverable; its commission (whose unit decides)
}


@pytest.mark.parametrize("path", DETAIL_STATEMENTS)
@pytest.mark.parametrize("role", ["finance", "dic", "auditor"])
def test_details_run_only_the_statements_they_need(app, roles, many, path, role):
    commission = many[0]
    count, body = support.statements_for(app, roles[role], path.format(
        commission=commission["id"], deliverable=commission["deliverables"][0]["id"]))
    assert count == DETAIL_STATEMENTS[path], count
    assert body["id"]


def test_commission_detail_shows_everything_it_promises(app, roles, many):
    _count, body = support.statements_for(app, roles["dic"], f"/api/v1/commissions/{many[0]['id']}")
    assert (body["status"], body["value"], body["committed"], body["advanced"], body["outstanding_advance"],
            body["paid"], body["remaining"]) == ("signed", 30_000_000, 30_000_000, 0, 0, 0, 30_000_000)
    assert (body["unit"]["code"], body["supplier"]["kind"], body["number"]) == ("SVHTTDL", "press", "DH-2026-0001")
    assert [d["status"] for d in body["deliverables"]] == ["delivered", "planned", "planned"]
    assert [d["title"] for d in body["deliverables"]] == ["Tin 0-0", "Tin 0-1", "Tin 0-2"]


def test_late_pages_are_the_same_rows_in_the_same_order(app, roles, many):
    finance = roles["finance"]
    for path in ("/api/v1/commissions", "/api/v1/deliverables"):
        everything = [item["id"] for item in support.get(finance, f"{path}?per_page=200")["items"]]
        pages = []
        for page in range(1, len(everything) // 5 + 2):
            pages.extend(item["id"] for item in support.get(finance, f"{path}?per_page=5&page={page}")["items"])
        assert pages == everything, path
