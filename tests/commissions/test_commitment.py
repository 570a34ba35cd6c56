"""Money rule 2 through commissions: approval reserves the whole value on the allocation or nothing;
cancelling and closing give back exactly what is still reserved."""
from tests import support
from tests.commissions import builders


def _allocation(finance, allocation_id):
    got = support.get(finance, f"/api/v1/allocations/{allocation_id}")
    return got["amount"], got["committed"], got["spent"], got["available"]


def _worth(amount, kind="tv_segment"):
    """One deliverable line worth `amount`."""
    return builders.item("Phóng sự chuyên đề", kind, quantity=1, unit_price=amount)


def test_approval_commits_the_whole_value(roles, budget):
    finance = roles["finance"]
    alloc = budget.allocation("dic", "press")
    commission = builders.press_commission(roles, budget, *[_worth(120_000_000), _worth(30_000_000)])
    assert (commission["value"], commission["committed"]) == (150_000_000, 0)
    assert _allocation(finance, alloc) == (500_000_000, 0, 0, 500_000_000)  # proposing reserves nothing
    approved = builders.approve(finance, commission["id"])
    assert (approved["status"], approved["committed"], approved["remaining"]) == ("approved", 150_000_000,
                                                                                  150_000_000)
    assert _allocation(finance, alloc) == (500_000_000, 150_000_000, 0, 350_000_000)


def test_approval_beyond_what_is_left_is_refused_and_changes_nothing(app, roles, budget):
    finance = roles["finance"]
    alloc = budget.allocation("dic", "press")
    first = builders.press_commission(roles, budget, _worth(400_000_000))
    too_much = builders.press_commission(roles, budget, _worth(100_000_001))
    exact = builders.press_commission(roles, budget, _worth(100_000_000))
    builders.approve(finance, first["id"])
    before = support.database_fingerprint(app)
    response = finance.post(f"/api/v1/commissions/{too_much['id']}/approve")
    body = response.get_json()
    assert (response.status_code, body["error"]) == (409, "insufficient_funds"), body
    assert list(body["details"]) == ["value"] and "100.000.000 ₫" in body["message"]
    assert support.database_fingerprint(app) == before
    assert support.get(finance, f"/api/v1/commissions/{too_much['id']}")["status"] == "proposed"
    builders.approve(finance, exact["id"])  # exactly what is left
    assert _allocation(finance, alloc) == (500_000_000, 500_000_000, 0, 0)


def test_approving_twice_is_a_refused_transition_even_when_the_allocation_is_full(app, roles, budget):
    """The second approval of one commission is refused for its status, not reported as a lack of
    funds (which would send finance looking for money the commission already holds)."""
    finance = roles["finance"]
    commission = builders.press_commission(roles, budget, _worth(300_000_000))
    builders.approve(finance, commission["id"])
    before = support.database_fingerprint(app)
    response = finance.post(f"/api/v1/commissions/{commission['id']}/approve")
    assert (response.status_code, response.get_json()["error"]) == (409, "invalid_transition"), response.get_json()
    assert support.database_fingerprint(app) == before


def test_rejection_reserves_nothing_and_keeps_the_reason(roles, budget):
    finance = roles["finance"]
    commission = builders.press_commission(roles, budget)
    rejected = support.ok(finance.post(f"/api/v1/commissions/{commission['id']}/reject",
                                       json={"reason": "Đơn giá chưa được phê duyệt"}), 200)
    assert (rejected["status"], rejected["reject_reason"], rejected["committed"]) == (
        "rejected", "Đơn giá chưa được phê duyệt", 0)
    assert _allocation(finance, budget.allocation("dic", "press"))[1] == 0


def test_cancel_and_close_release_exactly_what_is_still_committed(roles, budget):
    dic, finance = roles["dic"], roles["finance"]
    alloc = budget.allocation("dic", "press")
    kept = builders.press_commission(roles, budget, _worth(70_000_000))
    builders.approve(finance, kept["id"])
    start = _allocation(finance, alloc)
    assert start == (500_000_000, 70_000_000, 0, 430_000_000)

    cancelled = builders.press_commission(roles, budget, _worth(100_000_000))
    builders.approve(finance, cancelled["id"])
    assert _allocation(finance, alloc)[3] == 330_000_000
    got = support.ok(dic.post(f"/api/v1/commissions/{cancelled['id']}/cancel", json={"reason": "Đổi kế hoạch"}), 200)
    assert (got["status"], got["committed"], got["cancel_reason"]) == ("cancelled", 0, "Đổi kế hoạch")
    assert _allocation(finance, alloc) == start

    signed_then_cancelled = builders.signed_commission(finance, dic, alloc, budget.suppliers["press"])
    got = support.ok(dic.post(f"/api/v1/commissions/{signed_then_cancelled['id']}/cancel", json={"reason": "Hủy"}), 200)
    assert (got["status"], got["committed"]) == ("cancelled", 0)
    assert _allocation(finance, alloc) == start

    closed = builders.signed_commission(finance, dic, alloc, budget.suppliers["press"], *[_worth(40_000_000)] * 2)
    assert _allocation(finance, alloc)[1:] == (150_000_000, 0, 350_000_000)
    builders.resolve_all(dic, closed)
    got = support.ok(dic.post(f"/api/v1/commissions/{closed['id']}/close",
                              json={"liquidation_no": "12/BB-TL", "liquidated_on": f"{support.YEAR}-09-30"}), 200)
    assert (got["status"], got["committed"], got["liquidation_no"], got["liquidated_on"]) == (
        "closed", 0, "12/BB-TL", f"{support.YEAR}-09-30")
    assert _allocation(finance, alloc) == start
    assert support.get(finance, f"/api/v1/commissions/{kept['id']}")["committed"] == 70_000_000


def test_closing_without_the_liquidation_record_is_allowed_by_the_api(roles, budget):
    dic, finance = roles["dic"], roles["finance"]
    commission = builders.signed_commission(finance, dic, budget.allocation("dic", "press"), budget.suppliers["press"])
    builders.resolve_all(dic, commission)
    got = support.ok(dic.post(f"/api/v1/commissions/{commission['id']}/close", json={}), 200)
    assert (got["status"], got["liquidation_no"], got["liquidated_on"]) == ("closed", None, None)


def test_closing_with_deliverables_still_open_is_refused(app, roles, budget):
    dic, finance = roles["dic"], roles["finance"]
    commission = builders.signed_commission(finance, dic, budget.allocation("dic", "press"), budget.suppliers["press"])
    first, second = (d["id"] for d in commission["deliverables"])
    builders.deliver(dic, first)
    builders.accept(dic, first)
    builders.deliver(dic, second)  # delivered, not yet judged
    for _ in range(2):
        before = support.database_fingerprint(app)
        response = dic.post(f"/api/v1/commissions/{commission['id']}/close", json={})
        body = response.get_json()
        assert (response.status_code, body["error"]) == (409, "rule_violation"), body
        assert list(body["details"]) == ["deliverables"] and "Sản phẩm 2" in body["message"]
        assert support.database_fingerprint(app) == before
        builders.reject_delivery(dic, second)
        builders.deliver(dic, second)
    builders.accept(dic, second)
    assert support.ok(dic.post(f"/api/v1/commissions/{commission['id']}/close", json={}), 200)["committed"] == 0


def test_a_unit_commission_commits_on_its_own_allocation(roles, budget):
    unit, finance = roles["unit"], roles["finance"]
    commission = builders.unit_commission(roles, budget)
    builders.approve(finance, commission["id"])
    assert _allocation(finance, budget.allocation("unit", "training"))[1] == commission["value"]
    assert _allocation(finance, budget.allocation("dic", "press"))[1] == 0
    signed = builders.sign(unit, commission["id"])
    assert (signed["status"], signed["contract_no"], signed["signed_on"]) == ("signed", "05/2026/HĐ-ĐH",
                                                                             f"{support.YEAR}-02-01")
