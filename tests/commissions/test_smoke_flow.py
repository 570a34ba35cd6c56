"""The whole path of one commission through the API, as the people in DESIGN §2 would walk it."""
from tests import support


def supplier(client, tax_code="5900181213", kind="press", name="Báo và Phát thanh, Truyền hình Gia Lai"):
    return support.ok(client.post("/api/v1/suppliers", json={"name": name, "kind": kind, "tax_code": tax_code}), 201)


def test_a_press_commission_from_proposal_to_liquidation(roles):
    dic, finance = roles["dic"], roles["finance"]
    env = support.envelope(finance, 1_000_000_000)
    alloc = support.allocation(finance, env["id"], "SVHTTDL", 300_000_000, category="press")
    sup = supplier(finance)
    body = {"allocation_id": alloc["id"], "supplier_id": sup["id"], "title": "Tuyên truyền chuyển đổi số",
            "method": "order", "topic": "Chuyển đổi số", "advance_limit_pct": 30,
            "price_decision_no": "12/QĐ-UBND", "price_decision_date": "2026-01-05",
            "deliverables": [{"title": f"Phóng sự {i}", "kind": "tv_segment", "quantity": 2,
                              "unit_price": 25_000_000, "due_date": "2026-06-30"} for i in range(3)]}
    c = support.ok(dic.post("/api/v1/commissions", json=body), 201)
    assert (c["status"], c["value"], c["committed"], c["number"]) == ("proposed", 150_000_000, 0, "DH-2026-0001")
    c = support.ok(finance.post(f"/api/v1/commissions/{c['id']}/approve"), 200)
    assert (c["status"], c["committed"]) == ("approved", 150_000_000)
    assert support.get(finance, f"/api/v1/allocations/{alloc['id']}")["available"] == 150_000_000
    c = support.ok(dic.post(f"/api/v1/commissions/{c['id']}/sign", json={"contract_no": "05/2026/HĐ",
                                                                    "signed_on": "2026-02-01"}), 200)
    for d in c["deliverables"]:
        support.ok(dic.post(f"/api/v1/deliverables/{d['id']}/deliver",
                            json={"delivered_on": "2026-05-01", "quantity": 2}), 200)
        a = support.ok(dic.post(f"/api/v1/deliverables/{d['id']}/accept",
                                json={"accepted_on": "2026-05-02", "accepted_quantity": 1, "record_no": "BB-1"}), 200)
        assert a["accepted_value"] == 25_000_000
    c = support.ok(dic.post(f"/api/v1/commissions/{c['id']}/close", json={"liquidation_no": "TL-1",
                                                                     "liquidated_on": "2026-07-01"}), 200)
    assert (c["status"], c["committed"]) == ("closed", 0)
    assert support.get(finance, f"/api/v1/allocations/{alloc['id']}")["available"] == 300_000_000
