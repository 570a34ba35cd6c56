"""Who may do what: every budget endpoint × every role × own and another unit's record.

Records are owned by STP (the `unit` officer) or, for the DIC's own case, by STTTT. A refusal
changes nothing; a successful write adds exactly one audit entry; a read adds none.
"""
import pytest

from tests import support as h

# (who, owner of the records): "own" and "other" are from the actor's point of view.
ACTORS = {
    "anonymous": ("anonymous", "unit"),
    "unit_own": ("unit", "unit"),
    "dic_own": ("dic", "dic"),
    "unit_other": ("other_unit", "unit"),
    "dic_other": ("dic", "unit"),
    "finance": ("finance", "unit"),
    "auditor": ("auditor", "unit"),
    "admin": ("admin", "unit"),
}

READ_ALL = {"anonymous": 401, "unit_own": 200, "dic_own": 200, "unit_other": 200, "dic_other": 200,
            "finance": 200, "auditor": 200, "admin": 403}
READ_OWNED = dict(READ_ALL, unit_other=404, dic_other=404)
# A draft (never submitted) and what it carries are its unit's own working paper (DESIGN §2).
READ_DRAFT = dict(READ_OWNED, finance=404, auditor=404)
FINANCE_WRITE = {"anonymous": 401, "unit_own": 403, "dic_own": 403, "unit_other": 403, "dic_other": 403,
                 "finance": None, "auditor": 403, "admin": 403}
UNIT_CREATE = {"anonymous": 401, "unit_own": 201, "dic_own": 201, "unit_other": 201, "dic_other": 201,
               "finance": 403, "auditor": 403, "admin": 403}
OWNER_WRITE = {"anonymous": 401, "unit_own": None, "dic_own": None, "unit_other": 404, "dic_other": 404,
               "finance": 403, "auditor": 403, "admin": 403}


def _fill(table, success):
    return {actor: success if status is None else status for actor, status in table.items()}


def _reason(_s):
    return {"reason": "Lý do của Sở Tài chính"}


ENDPOINTS = {
    "list envelopes": ("GET", lambda s: "/api/v1/envelopes", None, READ_ALL),
    "create envelope": ("POST", lambda s: "/api/v1/envelopes", lambda s: {
        "fiscal_year": 2026, "code": "MOI", "name": "Nguồn mới", "amount": 10, "decision_no": "1/QĐ",
        "decision_date": "2026-02-01"}, _fill(FINANCE_WRITE, 201)),
    "get envelope": ("GET", lambda s: f"/api/v1/envelopes/{s['envelope']}", None, READ_ALL),
    "add supplement": ("POST", lambda s: f"/api/v1/envelopes/{s['envelope']}/supplements", lambda s: {
        "amount": 10, "decision_no": "2/QĐ", "decision_date": "2026-02-01"}, _fill(FINANCE_WRITE, 201)),
    "list requests": ("GET", lambda s: "/api/v1/requests", None, READ_ALL),
    "create request": ("POST", lambda s: "/api/v1/requests", lambda s: {
        "fiscal_year": 2026, "title": "Đề nghị mới", "lines": [h.line(1000)]}, UNIT_CREATE),
    "get request": ("GET", lambda s: f"/api/v1/requests/{s['draft']}", None, READ_DRAFT),
    "get submitted request": ("GET", lambda s: f"/api/v1/requests/{s['submitted']}", None, READ_OWNED),
    "patch request": ("PATCH", lambda s: f"/api/v1/requests/{s['draft']}", lambda s: {"title": "Tiêu đề sửa"},
                      _fill(OWNER_WRITE, 200)),
    "submit request": ("POST", lambda s: f"/api/v1/requests/{s['draft']}/submit", None, _fill(OWNER_WRITE, 200)),
    "withdraw request": ("POST", lambda s: f"/api/v1/requests/{s['draft']}/withdraw", None,
                         _fill(OWNER_WRITE, 200)),
    "return request": ("POST", lambda s: f"/api/v1/requests/{s['submitted']}/return", _reason,
                       _fill(FINANCE_WRITE, 200)),
    "reject request": ("POST", lambda s: f"/api/v1/requests/{s['submitted']}/reject", _reason,
                       _fill(FINANCE_WRITE, 200)),
    "list allocations": ("GET", lambda s: "/api/v1/allocations", None, READ_ALL),
    "create allocation": ("POST", lambda s: "/api/v1/allocations",
                          lambda s: h.allocation_body(s["envelope"], s["owner_code"], 5),
                          _fill(FINANCE_WRITE, 201)),
    "get allocation": ("GET", lambda s: f"/api/v1/allocations/{s['allocation']}", None, READ_OWNED),
    "adjust allocation": ("POST", lambda s: f"/api/v1/allocations/{s['allocation']}/adjustments", lambda s: {
        "amount": -5, "reason": "Giảm dự toán", "decision_no": "3/QĐ"}, _fill(FINANCE_WRITE, 201)),
    "list request documents": ("GET", lambda s: f"/api/v1/requests/{s['draft']}/documents", None, READ_DRAFT),
    "upload request document": ("UPLOAD", lambda s: f"/api/v1/requests/{s['draft']}", None,
                                _fill(OWNER_WRITE, 201)),
    "download document": ("GET", lambda s: f"/api/v1/documents/{s['document']}", None, READ_DRAFT),
}


def _scenario(roles, owner_key):
    """An envelope, a draft and a submitted request, an allocation and a document of one unit."""
    finance, owner = roles["finance"], roles[owner_key]
    owner_code = "STP" if owner_key == "unit" else "STTTT"
    envelope = h.envelope(finance, 1_000_000)["id"]
    draft = h.funding_request(owner)["id"]
    submitted = h.submitted_request(owner)["id"]
    allocation = h.allocation(finance, envelope, owner_code, 100)["id"]
    document = h.ok(h.upload(owner, draft), 201)["id"]
    # a record of another unit, which no unit officer of the owner may see in a list
    foreign_owner = roles["other_unit"] if owner_key == "unit" else roles["unit"]
    h.funding_request(foreign_owner)
    return {"envelope": envelope, "draft": draft, "submitted": submitted, "allocation": allocation,
            "document": document, "owner_code": owner_code}


@pytest.mark.parametrize("actor", list(ACTORS))
@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_access_matrix(roles, endpoint, actor):
    method, path, body, expected = ENDPOINTS[endpoint]
    who, owner_key = ACTORS[actor]
    scenario = _scenario(roles, owner_key)
    client = roles[who]
    before = h.balances(roles["finance"], scenario["envelope"], allocation_id=scenario["allocation"],
                        request_id=scenario["draft"], owner=roles[owner_key])
    payload = body(scenario) if body else None
    url = path(scenario)
    if method == "GET":
        response = client.get(url)
    elif method == "PATCH":
        response = client.patch(url, json=payload)
    elif method == "UPLOAD":
        response = h.upload(client, url.rsplit("/", 1)[1])
    else:
        response = client.post(url, json=payload)
    assert response.status_code == expected[actor], (endpoint, actor, response.get_json())
    after = h.balances(roles["finance"], scenario["envelope"], allocation_id=scenario["allocation"],
                       request_id=scenario["draft"], owner=roles[owner_key])
    if method != "GET" and response.status_code in (200, 201):
        assert after["audit"] == before["audit"] + 1
    else:
        assert after == before, (endpoint, actor)
    if response.status_code >= 400:
        assert set(response.get_json()) == {"error", "message", "details"}
        assert response.get_json()["error"] == {401: "unauthenticated", 403: "forbidden",
                                                404: "not_found"}[response.status_code]


@pytest.mark.parametrize("path,key", [("/api/v1/requests", "submitted"), ("/api/v1/allocations", "allocation")])
def test_lists_show_only_the_units_own_records(roles, path, key):
    scenario = _scenario(roles, "unit")

    def ids(who):
        return {item["id"] for item in h.get(roles[who], path + "?per_page=200")["items"]}

    assert scenario[key] in ids("unit")
    assert scenario[key] in ids("finance") and scenario[key] in ids("auditor")
    assert scenario[key] not in ids("other_unit") and scenario[key] not in ids("dic")
    if path == "/api/v1/requests":  # a draft is listed for its unit only
        assert scenario["draft"] in ids("unit")
        assert scenario["draft"] not in ids("finance") | ids("auditor") | ids("other_unit")
    every = h.get(roles["finance"], path + "?per_page=200")["items"]
    for who, code in (("unit", "STP"), ("other_unit", "ANNHON"), ("dic", "STTTT")):
        seen = h.get(roles[who], path + "?per_page=200")["items"]
        assert all(item["unit"]["code"] == code for item in seen)
        shared = [item for item in seen if path != "/api/v1/requests" or item["submitted_at"]]
        assert len(shared) == sum(1 for item in every if item["unit"]["code"] == code)


def test_refused_writes_are_checked_before_the_body(roles):
    """A caller without the role hears 403 even when the body is wrong."""
    assert roles["auditor"].post("/api/v1/allocations", json={"amount": "x"}).status_code == 403
    assert roles["unit"].post("/api/v1/envelopes", json={}).status_code == 403
    assert roles["finance"].post("/api/v1/requests", json={}).status_code == 403
    assert roles["admin"].get("/api/v1/requests?status=nope").status_code == 403
    assert roles["anonymous"].post("/api/v1/allocations", json={}).status_code == 401
