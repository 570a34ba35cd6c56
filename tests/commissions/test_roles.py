"""Who proposes, approves, acts on and reads commissions (DESIGN §2, §5 rule 10)."""
import pytest

from tests import support
from tests.commissions import builders

# (proposer, category of its own allocation) -> expected status; anything else named below
PROPOSALS = {
    ("dic", "press"): 201,
    ("dic", "it_monitoring"): 201,
    ("dic", "training"): 201,  # the DIC is a unit too
    ("dic", "other"): 201,
    ("unit", "press"): 403,  # only the DIC proposes press and IT monitoring
    ("unit", "it_monitoring"): 403,
    ("unit", "training"): 201,
    ("unit", "other"): 201,
}


@pytest.mark.parametrize("proposer,category", sorted(PROPOSALS))
def test_who_proposes_which_category_on_its_own_allocation(app, roles, budget, proposer, category):
    body = builders.commission_body(budget.allocation(proposer, category), budget.supplier_for(category),
                                    category=category)
    before = support.database_fingerprint(app)
    response = roles[proposer].post("/api/v1/commissions", json=body)
    assert response.status_code == PROPOSALS[proposer, category], response.get_json()
    if response.status_code == 201:
        got = response.get_json()
        assert (got["category"], got["unit"]["code"], got["status"]) == (
            category, support.ROLE_PEOPLE[proposer][2], "proposed")
        assert got["value"] == sum(d["quantity"] * d["unit_price"] for d in body["deliverables"])
    else:
        assert response.get_json()["error"] == "forbidden"
        assert support.database_fingerprint(app) == before


@pytest.mark.parametrize("proposer", ["dic", "unit"])
def test_an_operations_allocation_takes_no_commission(app, roles, budget, proposer):
    body = builders.commission_body(budget.allocation(proposer, "operations"), budget.suppliers["other"],
                                    category="other")
    before = support.database_fingerprint(app)
    response = roles[proposer].post("/api/v1/commissions", json=body)
    assert response.status_code == 422, response.get_json()
    assert list(response.get_json()["details"]) == ["allocation_id"]
    assert support.database_fingerprint(app) == before


@pytest.mark.parametrize("proposer,owner", [("unit", "dic"), ("dic", "unit"), ("other_unit", "unit")])
def test_another_units_allocation_reads_as_an_unknown_one(app, roles, budget, proposer, owner):
    """Proposing on another unit's allocation hears exactly what an allocation that does not exist
    gets: the body's `allocation_id` is refused, and nothing tells the two apart."""
    officer = roles[proposer]
    before = support.database_fingerprint(app)
    theirs = officer.post("/api/v1/commissions", json=builders.commission_body(
        budget.allocation(owner, "training"), budget.suppliers["training"], category="training"))
    unknown = officer.post("/api/v1/commissions", json=builders.commission_body(
        999_999, budget.suppliers["training"], category="training"))
    assert theirs.status_code == unknown.status_code == 422, (theirs.get_json(), unknown.get_json())
    assert theirs.get_json() == unknown.get_json()
    assert list(theirs.get_json()["details"]) == ["allocation_id"]
    assert support.database_fingerprint(app) == before


@pytest.mark.parametrize("who", ["finance", "auditor", "admin"])
def test_roles_without_a_unit_never_propose(app, roles, budget, who):
    before = support.database_fingerprint(app)
    for body in (builders.commission_body(budget.allocation("dic", "press"), budget.suppliers["press"]), {"x": 1}):
        response = roles[who].post("/api/v1/commissions", json=body)
        assert (response.status_code, response.get_json()["error"]) == (403, "forbidden")
    assert support.database_fingerprint(app) == before


@pytest.mark.parametrize("who", ["dic", "unit", "other_unit", "auditor", "admin"])
def test_only_finance_approves_or_rejects_and_the_proposer_never(app, roles, budget, who):
    commission = builders.press_commission(roles, budget)
    before = support.database_fingerprint(app)
    for action, body in (("approve", None), ("reject", {"reason": "Tự duyệt"})):
        response = roles[who].post(f"/api/v1/commissions/{commission['id']}/{action}", json=body)
        assert (response.status_code, response.get_json()["error"]) == (403, "forbidden"), (who, action)
    assert support.database_fingerprint(app) == before
    assert builders.approve(roles["finance"], commission["id"])["status"] == "approved"


OWNER_ACTIONS = [
    ("sign", {"contract_no": "01/HĐ", "signed_on": f"{support.YEAR}-02-01"}),
    ("cancel", {"reason": "Hủy"}),
    ("close", {}),
]


@pytest.mark.parametrize("who,status", [("finance", 403), ("auditor", 403), ("admin", 403),
                                        ("unit", 404), ("other_unit", 404)])
def test_only_the_owner_unit_signs_cancels_closes_delivers_and_accepts(app, roles, budget, who, status):
    dic, finance = roles["dic"], roles["finance"]
    commission = builders.press_commission(roles, budget)
    builders.approve(finance, commission["id"])
    signed = builders.signed_commission(finance, dic, budget.allocation("dic", "press"), budget.suppliers["press"])
    builders.deliver(dic, signed["deliverables"][1]["id"])
    before = support.database_fingerprint(app)
    actor = roles[who]
    for action, body in OWNER_ACTIONS:
        target = commission if action != "close" else signed
        response = actor.post(f"/api/v1/commissions/{target['id']}/{action}", json=body)
        assert response.status_code == status, (action, response.get_json())
    for index, action, body in ((0, "deliver", {"delivered_on": f"{support.YEAR}-05-01", "quantity": 1}),
                                (1, "accept", {"accepted_on": f"{support.YEAR}-05-02", "accepted_quantity": 1,
                                               "record_no": "BB"}),
                                (1, "reject", {"reason": "Không đạt"})):
        response = actor.post(f"/api/v1/deliverables/{signed['deliverables'][index]['id']}/{action}", json=body)
        assert response.status_code == status, (action, response.get_json())
    assert support.database_fingerprint(app) == before


def test_another_units_commission_and_deliverable_read_as_missing(roles, budget):
    commission = builders.press_commission(roles, budget)
    deliverable = commission["deliverables"][0]["id"]
    templates = ["/api/v1/commissions/{c}", "/api/v1/commissions/{c}/documents", "/api/v1/deliverables/{d}",
                 "/api/v1/deliverables/{d}/documents"]
    for who in ("unit", "other_unit"):
        for template in templates:
            response = roles[who].get(template.format(c=commission["id"], d=deliverable))
            assert (response.status_code, response.get_json()["error"]) == (404, "not_found"), (who, template)
            missing = roles[who].get(template.format(c=999_999, d=999_999))
            assert missing.get_json() == response.get_json(), template
        assert support.get(roles[who], "/api/v1/commissions")["total"] == 0
        assert support.get(roles[who], f"/api/v1/deliverables?commission_id={commission['id']}")["total"] == 0


def test_auditors_read_everything_and_write_nothing(app, roles, budget):
    auditor = roles["auditor"]
    dic_commission = builders.press_commission(roles, budget)
    unit_commission = builders.unit_commission(roles, budget)
    listed = support.get(auditor, "/api/v1/commissions")
    assert {c["id"] for c in listed["items"]} == {dic_commission["id"], unit_commission["id"]}
    assert support.get(auditor, "/api/v1/deliverables")["total"] == 4
    for commission in (dic_commission, unit_commission):
        assert support.get(auditor, f"/api/v1/commissions/{commission['id']}")["number"] == commission["number"]
        assert support.get(auditor,
                           f"/api/v1/deliverables/{commission['deliverables'][0]['id']}")["status"] == "planned"
    before = support.database_fingerprint(app)
    cid, did = dic_commission["id"], dic_commission["deliverables"][0]["id"]
    writes = [("/api/v1/commissions", builders.commission_body(budget.allocation("dic", "press"),
                                                               budget.suppliers["press"])),
              ("/api/v1/suppliers", {"name": "Báo Nhân Dân", "kind": "press", "tax_code": builders.tax_code()}),
              *((f"/api/v1/commissions/{cid}/{action}", body)
                for action, body in [("approve", None), ("reject", {"reason": "x"})] + OWNER_ACTIONS),
              (f"/api/v1/deliverables/{did}/deliver", {"delivered_on": f"{support.YEAR}-05-01", "quantity": 1})]
    for path, body in writes:
        response = auditor.post(path, json=body)
        assert (response.status_code, response.get_json()["error"]) == (403, "forbidden"), path
    assert builders.upload_to(auditor, f"/api/v1/commissions/{cid}/documents").status_code == 403
    assert support.database_fingerprint(app) == before


def test_admins_have_no_power_over_commissions_but_manage_suppliers(roles, budget):
    admin = roles["admin"]
    commission = builders.press_commission(roles, budget)
    for path in ("/api/v1/commissions", f"/api/v1/commissions/{commission['id']}", "/api/v1/deliverables",
                 f"/api/v1/deliverables/{commission['deliverables'][0]['id']}"):
        assert admin.get(path).status_code == 403, path
    created = builders.supplier(admin, kind="it_service", name="Công ty Giải pháp truyền thông số")
    assert support.get(admin, f"/api/v1/suppliers/{created['id']}")["tax_code"] == created["tax_code"]
    assert created["id"] in {s["id"] for s in support.get(admin, "/api/v1/suppliers?per_page=200")["items"]}


@pytest.mark.parametrize("who,status", [("admin", 201), ("finance", 201), ("dic", 201), ("unit", 403),
                                        ("other_unit", 403), ("auditor", 403), ("anonymous", 401)])
def test_who_adds_suppliers(app, roles, who, status):
    before = support.database_fingerprint(app)
    response = roles[who].post("/api/v1/suppliers", json={"name": "Báo Gia Lai điện tử", "kind": "press",
                                                          "tax_code": "5900181213"})
    assert response.status_code == status, response.get_json()
    if status != 201:
        assert support.database_fingerprint(app) == before


def test_suppliers_are_read_by_signed_in_people_only(roles):
    created = builders.supplier(roles["finance"])
    for path in ("/api/v1/suppliers", f"/api/v1/suppliers/{created['id']}"):
        response = roles["anonymous"].get(path)
        assert (response.status_code, response.get_json()["error"]) == (401, "unauthenticated"), path
        for who in ("unit", "dic", "auditor", "admin", "finance"):
            assert roles[who].get(path).status_code == 200, (who, path)
