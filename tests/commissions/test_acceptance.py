"""Delivery and acceptance (nghiệm thu): what may be accepted, at what value, and delivery again
after a rejection."""
import pytest

from tests import support
from tests.commissions import builders
from tests.fixtures.worlds import build_world, saved_world


@saved_world(scope="module")
def _signed_world(app, _roles_world, _budget_world):
    return build_world(app, "acceptance.signed",
                       lambda: _build_signed(_roles_world.clients(app), _budget_world.copy()), base=_budget_world)


@pytest.fixture
def signed(_signed_world):
    """A signed DIC press commission: 'Sản phẩm 1' and 'Sản phẩm 2', 2 × 5,000,000 each.
    Built once for the module, restored before each test."""
    return _signed_world.copy()


def _build_signed(roles, budget):
    return builders.signed_commission(roles["finance"], roles["dic"], budget.allocation("dic", "press"),
                                      budget.suppliers["press"],
                                      builders.item("Sản phẩm 1", quantity=4, unit_price=5_000_000),
                                      builders.item("Sản phẩm 2", quantity=2, unit_price=7_500_000))


def _accept(officer, did, quantity, on=f"{support.YEAR}-05-10", record_no="15/BB-NT"):
    return officer.post(f"/api/v1/deliverables/{did}/accept",
                        json={"accepted_on": on, "accepted_quantity": quantity, "record_no": record_no})


def test_accepted_value_is_the_accepted_quantity_times_the_unit_price(roles, signed):
    dic = roles["dic"]
    did = signed["deliverables"][0]["id"]
    delivered = builders.deliver(dic, did, quantity=3, evidence_url="https://baogialai.com.vn/bai-viet-1.html",
                                 note="Đăng trên báo in và điện tử")
    assert (delivered["status"], delivered["delivered_quantity"], delivered["evidence_url"],
            delivered["delivery_note"]) == ("delivered", 3, "https://baogialai.com.vn/bai-viet-1.html",
                                            "Đăng trên báo in và điện tử")
    accepted = support.ok(_accept(dic, did, 2), 200)
    assert (accepted["status"], accepted["accepted_quantity"], accepted["accepted_value"], accepted["record_no"],
            accepted["accepted_on"]) == ("accepted", 2, 10_000_000, "15/BB-NT", f"{support.YEAR}-05-10")
    commission = support.get(dic, f"/api/v1/commissions/{signed['id']}")
    assert commission["value"] == 35_000_000  # the contract's value stays what was ordered
    assert [d["accepted_value"] for d in commission["deliverables"]] == [10_000_000, 0]


def test_accepting_more_than_was_delivered_is_refused_naming_the_quantity(app, roles, signed):
    dic = roles["dic"]
    did = signed["deliverables"][0]["id"]
    builders.deliver(dic, did, quantity=3)
    before = support.database_fingerprint(app)
    response = _accept(dic, did, 4)
    body = response.get_json()
    assert (response.status_code, body["error"]) == (422, "validation_error"), body
    assert list(body["details"]) == ["accepted_quantity"] and "3" in body["details"]["accepted_quantity"][0]
    assert support.database_fingerprint(app) == before
    assert support.ok(_accept(dic, did, 3), 200)["accepted_value"] == 15_000_000  # all that was delivered


def test_acceptance_is_not_dated_before_the_delivery(app, roles, signed):
    dic = roles["dic"]
    did = signed["deliverables"][0]["id"]
    builders.deliver(dic, did, quantity=1, delivered_on=f"{support.YEAR}-05-05")
    before = support.database_fingerprint(app)
    response = _accept(dic, did, 1, on=f"{support.YEAR}-05-04")
    assert (response.status_code, list(response.get_json()["details"])) == (422, ["accepted_on"])
    assert support.database_fingerprint(app) == before
    assert support.ok(_accept(dic, did, 1, on=f"{support.YEAR}-05-05"), 200)["status"] == "accepted"


@pytest.mark.parametrize("quantity", [1, 1_000_000])
def test_accepting_an_undelivered_deliverable_is_a_refused_transition(app, roles, signed, quantity):
    dic = roles["dic"]
    did = signed["deliverables"][0]["id"]
    before = support.database_fingerprint(app)
    response = _accept(dic, did, quantity)
    body = response.get_json()
    assert (response.status_code, body["error"], body["details"]) == (409, "invalid_transition",
                                                                      {"status": ["planned"]}), body
    assert support.database_fingerprint(app) == before


def test_delivering_more_than_was_ordered_is_refused(app, roles, signed):
    dic = roles["dic"]
    before = support.database_fingerprint(app)
    response = dic.post(f"/api/v1/deliverables/{signed['deliverables'][1]['id']}/deliver",
                        json={"delivered_on": f"{support.YEAR}-05-01", "quantity": 3})
    assert (response.status_code, list(response.get_json()["details"])) == (422, ["quantity"])
    assert support.database_fingerprint(app) == before


def test_a_rejected_delivery_is_delivered_again_and_then_accepted(roles, signed):
    dic = roles["dic"]
    did = signed["deliverables"][1]["id"]
    builders.deliver(dic, did, quantity=2, evidence_url="https://example.vn/ban-dau")
    rejected = support.ok(dic.post(f"/api/v1/deliverables/{did}/reject",
                                   json={"reason": "Phóng sự chưa đúng thời lượng"}), 200)
    assert (rejected["status"], rejected["reject_reason"], rejected["accepted_value"]) == (
        "rejected", "Phóng sự chưa đúng thời lượng", 0)
    again = builders.deliver(dic, did, quantity=2, delivered_on=f"{support.YEAR}-06-01",
                             evidence_url="https://example.vn/ban-sua")
    assert (again["status"], again["delivered_on"], again["evidence_url"], again["reject_reason"]) == (
        "delivered", f"{support.YEAR}-06-01", "https://example.vn/ban-sua", None)
    accepted = support.ok(_accept(dic, did, 2, on=f"{support.YEAR}-06-02"), 200)
    assert (accepted["status"], accepted["accepted_value"]) == ("accepted", 15_000_000)
    trail = support.get(roles["finance"], f"/api/v1/audit?entity=deliverable&entity_id={did}")["items"]
    assert [e["action"] for e in reversed(trail)] == ["deliverable.deliver", "deliverable.reject",
                                                      "deliverable.deliver", "deliverable.accept"]


def test_delivery_evidence_is_uploaded_to_the_deliverable(roles, signed):
    dic = roles["dic"]
    did = signed["deliverables"][0]["id"]
    builders.deliver(dic, did, quantity=4)
    document = support.ok(builders.upload_to(dic, f"/api/v1/deliverables/{did}/documents", filename="bai-bao.pdf"), 201)
    listed = support.get(roles["auditor"], f"/api/v1/deliverables/{did}/documents")
    assert [(d["id"], d["original_name"]) for d in listed["items"]] == [(document["id"], "bai-bao.pdf")]
    download = roles["auditor"].get(f"/api/v1/documents/{document['id']}")
    assert download.status_code == 200 and download.data == support.PDF_BYTES
    assert roles["unit"].get(f"/api/v1/documents/{document['id']}").status_code == 404  # another unit's


def test_commission_documents_follow_the_commission(app, roles, budget, signed):
    dic, finance = roles["dic"], roles["finance"]
    support.ok(builders.upload_to(dic, f"/api/v1/commissions/{signed['id']}/documents", filename="hop-dong.pdf"), 201)
    assert support.get(finance, f"/api/v1/commissions/{signed['id']}/documents")["total"] == 1
    cancelled = builders.press_commission(roles, budget)
    builders.approve(finance, cancelled["id"])
    support.ok(dic.post(f"/api/v1/commissions/{cancelled['id']}/cancel", json={"reason": "Hủy"}), 200)
    before = support.database_fingerprint(app)
    response = builders.upload_to(dic, f"/api/v1/commissions/{cancelled['id']}/documents")
    assert (response.status_code, response.get_json()["error"]) == (409, "invalid_transition")
    assert support.database_fingerprint(app) == before
