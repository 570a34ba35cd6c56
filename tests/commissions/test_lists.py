"""Lists of commissions and deliverables, their filters, and numbering per fiscal year."""
from datetime import date

from tests import support
from tests.commissions import builders

PAST_DUE = f"{support.YEAR}-06-30"  # before today (the tests were written on 2026-12-01) and ever after
NEXT_YEAR = date.today().year + 1  # a fiscal year whose due dates are all still ahead


def _ids(client, path):
    return [item["id"] for item in support.get(client, path)["items"]]


def test_deliverables_filter_by_commission_status_and_overdue(roles, budget):
    dic, finance = roles["dic"], roles["finance"]
    late = builders.signed_commission(finance, dic, budget.allocation("dic", "press"), budget.suppliers["press"],
                                      *(builders.item(f"Tin bài {i}", "online_article", due_date=PAST_DUE)
                                        for i in (1, 2, 3)))
    env = support.envelope(finance, 1_000_000_000, year=NEXT_YEAR)
    ahead_alloc = support.allocation(finance, env["id"], "SVHTTDL", 100_000_000, category="press", year=NEXT_YEAR)
    ahead = builders.propose(dic, ahead_alloc["id"], budget.suppliers["press"], year=NEXT_YEAR)
    unit = builders.unit_commission(roles, budget, builders.item("Lớp tập huấn", "training_course", due_date=PAST_DUE))
    first, second, third = (d["id"] for d in late["deliverables"])
    builders.deliver(dic, first)                      # delivered: no longer owed
    builders.deliver(dic, second)
    builders.reject_delivery(dic, second)             # rejected: owed again, and past due
    ahead_ids = [d["id"] for d in ahead["deliverables"]]
    unit_line = unit["deliverables"][0]["id"]

    assert _ids(dic, f"/api/v1/deliverables?commission_id={late['id']}") == [first, second, third]
    assert _ids(dic, "/api/v1/deliverables?status=rejected") == [second]
    assert _ids(dic, "/api/v1/deliverables?status=planned") == [third, *ahead_ids]
    assert _ids(dic, "/api/v1/deliverables?overdue=true") == [second, third]
    assert _ids(dic, "/api/v1/deliverables?overdue=false") == [first, *ahead_ids]
    assert _ids(dic, f"/api/v1/deliverables?commission_id={late['id']}&status=planned&overdue=true") == [third]
    assert _ids(dic, f"/api/v1/deliverables?commission_id={ahead['id']}&overdue=true") == []
    # each unit sees its own; finance and auditors see every unit's
    assert _ids(roles["unit"], "/api/v1/deliverables?overdue=true") == [unit_line]
    assert _ids(roles["unit"], f"/api/v1/deliverables?commission_id={late['id']}") == []
    assert _ids(roles["other_unit"], "/api/v1/deliverables") == []
    assert _ids(roles["auditor"], "/api/v1/deliverables?overdue=true") == [second, third, unit_line]
    listed = support.get(finance, "/api/v1/deliverables?overdue=true")["items"]
    assert [(d["overdue"], d["status"], d["due_date"]) for d in listed] == [
        (True, "rejected", PAST_DUE), (True, "planned", PAST_DUE), (True, "planned", PAST_DUE)]
    assert not any(d["overdue"] for d in support.get(finance, "/api/v1/deliverables?overdue=false")["items"])


def test_commission_list_filters(roles, budget):
    dic, finance = roles["dic"], roles["finance"]
    press = builders.press_commission(roles, budget, topic="Chuyển đổi số")
    poll = builders.propose(dic, budget.allocation("dic", "it_monitoring"), budget.suppliers["it_service"],
                            category="it_monitoring", method="bidding", topic="Cải cách hành chính")
    training = builders.unit_commission(roles, budget, topic="Phổ biến pháp luật")
    builders.approve(finance, poll["id"])
    cases = {
        "status=approved": [poll["id"]],
        "status=proposed": [training["id"], press["id"]],
        "category=press": [press["id"]],
        f"supplier_id={budget.suppliers['it_service']}": [poll["id"]],
        f"allocation_id={budget.allocation('unit', 'training')}": [training["id"]],
        "topic=cải cách": [poll["id"]],
        "topic=100%": [],
        "unit=SVHTTDL": [poll["id"], press["id"]],
        "unit=STP": [training["id"]],
        f"fiscal_year={support.YEAR}": [training["id"], poll["id"], press["id"]],
        f"fiscal_year={support.YEAR + 1}": [],
    }
    for query, expected in cases.items():
        assert _ids(finance, f"/api/v1/commissions?{query}") == expected, query
    assert _ids(dic, "/api/v1/commissions") == [poll["id"], press["id"]]
    assert _ids(dic, "/api/v1/commissions?unit=STP") == []  # a filter never widens the unit's scope
    assert _ids(roles["unit"], "/api/v1/commissions") == [training["id"]]
    listed = support.get(finance, "/api/v1/commissions?per_page=2")
    assert (listed["total"], listed["page"], listed["per_page"], len(listed["items"])) == (3, 1, 2, 2)


def test_suppliers_list_filters(roles):
    finance = roles["finance"]
    paper = builders.supplier(finance, kind="press", name="Báo và Phát thanh, Truyền hình Gia Lai", code="5900181213")
    it = builders.supplier(finance, kind="it_service", name="Công ty CP Giải pháp dữ liệu", code="0312345678")
    assert _ids(finance, "/api/v1/suppliers?kind=it_service") == [it["id"]]
    assert _ids(finance, "/api/v1/suppliers?q=gia lai") == [paper["id"]]
    assert _ids(finance, "/api/v1/suppliers?q=0312") == [it["id"]]
    assert _ids(roles["unit"], "/api/v1/suppliers") == [paper["id"], it["id"]]  # by name


def test_numbers_run_per_fiscal_year(roles, budget):
    dic, finance = roles["dic"], roles["finance"]
    numbers = [builders.press_commission(roles, budget)["number"] for _ in range(2)]
    numbers.append(builders.unit_commission(roles, budget)["number"])
    env = support.envelope(finance, 1_000_000_000, year=support.YEAR + 1)
    later = support.allocation(finance, env["id"], "SVHTTDL", 100_000_000, category="press", year=support.YEAR + 1)
    next_year = builders.propose(dic, later["id"], budget.suppliers["press"], year=support.YEAR + 1)
    numbers.append(builders.press_commission(roles, budget)["number"])
    assert numbers == ["DH-2026-0001", "DH-2026-0002", "DH-2026-0003", "DH-2026-0004"]
    assert (next_year["number"], next_year["fiscal_year"]) == ("DH-2027-0001", 2027)
    # a refused proposal takes no number
    assert roles["dic"].post("/api/v1/commissions", json=builders.commission_body(
        budget.allocation("dic", "press"), 999_999)).status_code == 422
    assert builders.press_commission(roles, budget)["number"] == "DH-2026-0005"
