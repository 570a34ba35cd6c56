def test_healthz(client):
    r = client.get("/healthz")
    assert r.status_code == 200 and r.get_json()["database"] == "ok"


def test_me_and_units(roles):
    r = roles["unit"].get("/api/v1/me")
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["unit"] == {"code": "STP", "name": "Sở Tư pháp"}
    r = roles["admin"].post("/api/v1/units", json={"code": "SYT", "name": "Sở Y tế", "kind": "department"})
    assert r.status_code == 201, r.get_json()
    r = roles["unit"].post("/api/v1/units", json={"code": "SXD", "name": "Sở Xây dựng", "kind": "department"})
    assert r.status_code == 403 and r.get_json()["error"] == "forbidden"
