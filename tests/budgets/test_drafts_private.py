"""DESIGN §2: a request never submitted (a draft, or a draft withdrawn before submission) is its
unit's own working paper. Finance, auditors and admins find nothing of it - not the request, its
documents, its place in lists, nor its audit entries - until its first submission; from then on
everything shows, the draft-time history included."""
import html
import re

import pytest

from tests import support
from tests.fixtures.worlds import build_world, saved_world
from tests.support import PASSWORD

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
DRAFT_TITLE = "Nháp riêng của Sở Tư pháp"
WITHDRAWN_TITLE = "Nháp đã rút trước khi gửi"
READERS = ("finance", "auditor")
AUDIT_READERS = ("finance", "auditor")  # admins read only users, units and suppliers (DESIGN §11)
USERNAMES = {"finance": "taichinh", "auditor": "kiemtoan", "admin": "quantri", "unit": "donvi"}


def logged_in(app, who):
    client = app.test_client()
    token = CSRF.search(client.get("/login").get_data(as_text=True)).group(1)
    response = client.post("/login", data={"csrf_token": token, "username": USERNAMES[who], "password": PASSWORD})
    assert response.status_code == 302
    return client


def page(client, path, status=200) -> str:
    response = client.get(path)
    assert response.status_code == status, (path, response.status_code)
    return html.unescape(response.get_data(as_text=True))


def audit_ids(client, query=""):
    items = support.get(client, "/api/v1/audit?per_page=200" + query)["items"]
    return {(e["entity"], e["entity_id"]) for e in items}, [e["action"] for e in items]


@saved_world(scope="module")
def _papers_world(app, _roles_world):
    return build_world(app, "drafts_private.papers",
                       lambda: _build_papers(_roles_world.clients(app)), base=_roles_world)


@pytest.fixture
def papers(_papers_world):
    """STP's draft with a document, a draft withdrawn before submission (with a document too),
    and a request withdrawn after its submission; an envelope to allocate from.
    Built once for the module, restored before each test."""
    return _papers_world.copy()


def _build_papers(roles):
    unit = roles["unit"]
    draft = support.funding_request(unit, title=DRAFT_TITLE)
    draft_doc = support.ok(support.upload(unit, draft["id"]), 201)
    withdrawn = support.funding_request(unit, title=WITHDRAWN_TITLE)
    withdrawn_doc = support.ok(support.upload(unit, withdrawn["id"]), 201)
    support.ok(unit.post(f"/api/v1/requests/{withdrawn['id']}/withdraw"), 200)
    late = support.submitted_request(unit, title="Đã gửi rồi mới rút")
    support.ok(unit.post(f"/api/v1/requests/{late['id']}/withdraw"), 200)
    envelope = support.envelope(roles["finance"])
    return {"draft": draft, "draft_doc": draft_doc, "withdrawn": withdrawn, "withdrawn_doc": withdrawn_doc,
            "late": late, "envelope": envelope}


@pytest.mark.parametrize("who", READERS)
def test_the_api_finds_nothing_of_a_request_never_submitted(roles, papers, who):
    client = roles[who]
    for key, doc in (("draft", "draft_doc"), ("withdrawn", "withdrawn_doc")):
        rid = papers[key]["id"]
        for path in (f"/api/v1/requests/{rid}", f"/api/v1/requests/{rid}/documents",
                     f"/api/v1/documents/{papers[doc]['id']}"):
            response = client.get(path)
            assert response.status_code == 404 and response.get_json()["error"] == "not_found", path
    listed = {item["id"] for item in support.get(client, "/api/v1/requests?per_page=200")["items"]}
    assert listed == {papers["late"]["id"]}  # withdrawn after submission: stays in sight
    assert support.list_total(client, "/api/v1/requests?status=draft") == 0
    assert support.list_total(client, f"/api/v1/requests?q={papers['draft']['number']}") == 0
    assert support.get(client, f"/api/v1/requests/{papers['late']['id']}")["status"] == "withdrawn"


def test_the_owner_unit_still_has_everything(roles, papers):
    unit = roles["unit"]
    assert support.get(unit, f"/api/v1/requests/{papers['draft']['id']}")["title"] == DRAFT_TITLE
    assert support.list_total(unit, f"/api/v1/requests/{papers['draft']['id']}/documents") == 1
    assert unit.get(f"/api/v1/documents/{papers['draft_doc']['id']}").status_code == 200
    assert support.list_total(unit, "/api/v1/requests") == 3
    assert roles["other_unit"].get(f"/api/v1/requests/{papers['draft']['id']}").status_code == 404


def test_finance_cannot_act_on_a_draft_or_learn_of_it(roles, papers):
    finance, rid = roles["finance"], papers["draft"]["id"]
    before = support.balances(finance, papers["envelope"]["id"], request_id=rid, owner=roles["unit"])
    for action in ("return", "reject"):
        response = finance.post(f"/api/v1/requests/{rid}/{action}", json={"reason": "Không phù hợp"})
        assert response.status_code == 404, response.get_json()
    response = finance.post("/api/v1/allocations", json=support.allocation_body(
        papers["envelope"]["id"], request_id=rid, category="press"))
    assert response.status_code == 422 and list(response.get_json()["details"]) == ["request_id"]
    assert papers["draft"]["number"] not in str(response.get_json())  # no number, no status
    assert support.balances(finance, papers["envelope"]["id"], request_id=rid, owner=roles["unit"]) == before


@pytest.mark.parametrize("who", AUDIT_READERS)
def test_the_audit_trail_keeps_drafts_out_of_sight(app, roles, papers, who):
    client = roles[who]
    private = {("request", papers["draft"]["id"]), ("request", papers["withdrawn"]["id"])}
    seen, actions = audit_ids(client)
    assert not seen & private
    assert ("request", papers["late"]["id"]) in seen and "document.upload" not in actions
    for key in ("draft", "withdrawn"):
        assert support.list_total(client, f"/api/v1/audit?entity=request&entity_id={papers[key]['id']}") == 0
    assert support.list_total(client, "/api/v1/audit?action=document.upload") == 0
    # counts agree with the items: the filter is in the query, not applied after paging
    listed = support.get(client, "/api/v1/audit?per_page=200")
    assert listed["total"] == len(listed["items"]) < support.audit_total(client)

    trail = page(logged_in(app, who), "/audit")
    assert DRAFT_TITLE not in trail and WITHDRAWN_TITLE not in trail and "bien-ban.pdf" not in trail
    assert "Đã gửi rồi mới rút" in trail
    assert DRAFT_TITLE not in page(logged_in(app, who), "/audit?entity=request")


@pytest.mark.parametrize("who", READERS)
def test_the_pages_find_nothing_of_a_draft(app, roles, papers, who):
    browser = logged_in(app, who)
    rid = papers["draft"]["id"]
    page(browser, f"/requests/{rid}", 404)
    page(browser, f"/requests/{papers['withdrawn']['id']}", 404)
    page(browser, f"/documents/{papers['draft_doc']['id']}", 404)
    for path in ("/requests", "/requests?status=draft", "/dashboard", "/requests?unit=STP"):
        text = page(browser, path)
        assert DRAFT_TITLE not in text and WITHDRAWN_TITLE not in text, path
        assert papers["draft"]["number"] not in text, path
    for query in (papers["draft"]["number"], "Nháp"):
        assert 'data-testid="request-row"' not in page(browser, f"/requests?q={query}")
    if who == "finance":
        assert DRAFT_TITLE not in page(browser, "/finance")
    owner = logged_in(app, "unit")
    assert DRAFT_TITLE in page(owner, f"/requests/{rid}") and DRAFT_TITLE in page(owner, "/requests")


def test_from_the_first_submission_on_everything_shows(app, roles, papers):
    unit, finance = roles["unit"], roles["finance"]
    rid = papers["draft"]["id"]
    support.ok(unit.post(f"/api/v1/requests/{rid}/submit"), 200)
    for who in READERS:
        assert support.get(roles[who], f"/api/v1/requests/{rid}")["title"] == DRAFT_TITLE
        assert support.list_total(roles[who], f"/api/v1/requests/{rid}/documents") == 1
        assert roles[who].get(f"/api/v1/documents/{papers['draft_doc']['id']}").status_code == 200
    for who in AUDIT_READERS:
        history = support.get(roles[who], f"/api/v1/audit?entity=request&entity_id={rid}")["items"]
        assert [e["action"] for e in reversed(history)] == ["request.create", "document.upload", "request.submit"]
    assert support.list_total(roles["admin"], f"/api/v1/audit?entity=request&entity_id={rid}") == 0
    assert DRAFT_TITLE in page(logged_in(app, "auditor"), f"/requests/{rid}")
    assert DRAFT_TITLE in page(logged_in(app, "finance"), "/audit")

    # returned, then withdrawn: it was submitted once, so it stays in sight
    support.ok(finance.post(f"/api/v1/requests/{rid}/return", json={"reason": "Bổ sung dự toán"}), 200)
    support.ok(unit.post(f"/api/v1/requests/{rid}/withdraw"), 200)
    assert support.get(roles["auditor"], f"/api/v1/requests/{rid}")["status"] == "withdrawn"
    assert support.list_total(roles["auditor"], f"/api/v1/audit?entity=request&entity_id={rid}") == 5
    # the one withdrawn before submission stays the unit's own
    assert finance.get(f"/api/v1/requests/{papers['withdrawn']['id']}").status_code == 404
