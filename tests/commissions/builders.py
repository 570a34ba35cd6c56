"""Builders for suppliers, commissions and deliverables, made through the HTTP API as people would.

Shared by the commission tests and the access matrix. Each returns the JSON the API answered.
"""
import itertools

from tests import support

YEAR = support.YEAR
_tax_codes = itertools.count(1)

# The category an owner's commissions are proposed on: the DIC proposes press, a unit training.
OWNER_CATEGORY = {"dic": "press", "unit": "training", "other_unit": "training"}
KIND_FOR = {"press": "tv_segment", "it_monitoring": "monitoring_report", "training": "training_course",
            "other": "other"}
SUPPLIER_KIND_FOR = {"press": "press", "it_monitoring": "it_service", "training": "training", "other": "other"}


def tax_code() -> str:
    """A fresh 10-digit tax code (suppliers are unique by it)."""
    return f"59{next(_tax_codes):08d}"


def supplier(client, *, kind="press", name="Báo và Phát thanh, Truyền hình Gia Lai", code=None):
    return support.ok(client.post("/api/v1/suppliers", json={"name": name, "kind": kind,
                                                             "tax_code": code or tax_code()}), 201)


def item(title="Phóng sự", kind="tv_segment", quantity=2, unit_price=5_000_000, due_date=f"{YEAR}-06-30"):
    return {"title": title, "kind": kind, "quantity": quantity, "unit_price": unit_price, "due_date": due_date}


def commission_body(allocation_id, supplier_id, *items, method="order", category="press", title=None,
                    topic="Chuyển đổi số", advance_limit_pct=30, year=YEAR):
    """A valid proposal: by default two deliverables of the category's kind, value 20,000,000."""
    kind = KIND_FOR[category]
    body = {"allocation_id": allocation_id, "supplier_id": supplier_id,
            "title": title or f"Tuyên truyền {topic.lower()}", "method": method, "topic": topic,
            "advance_limit_pct": advance_limit_pct,
            "deliverables": list(items) or [item(f"Sản phẩm {i}", kind, due_date=f"{year}-06-30")
                                            for i in (1, 2)]}
    if method in ("order", "assignment"):  # a price decision is never dated in the future
        body.update(price_decision_no="12/QĐ-UBND", price_decision_date=f"{min(year, YEAR)}-01-05")
    return body


def propose(officer, allocation_id, supplier_id, *items, **kw):
    return support.ok(officer.post("/api/v1/commissions", json=commission_body(allocation_id, supplier_id, *items,
                                                                               **kw)), 201)


def approve(finance, commission_id):
    return support.ok(finance.post(f"/api/v1/commissions/{commission_id}/approve"), 200)


def sign(officer, commission_id, signed_on=f"{YEAR}-02-01", contract_no="05/2026/HĐ-ĐH"):
    return support.ok(officer.post(f"/api/v1/commissions/{commission_id}/sign",
                                   json={"contract_no": contract_no, "signed_on": signed_on}), 200)


def deliver(officer, deliverable_id, quantity=2, delivered_on=f"{YEAR}-05-01", **extra):
    return support.ok(officer.post(f"/api/v1/deliverables/{deliverable_id}/deliver",
                                   json={"delivered_on": delivered_on, "quantity": quantity, **extra}), 200)


def accept(officer, deliverable_id, accepted_quantity=2, accepted_on=f"{YEAR}-05-02", record_no="BB-NT-01"):
    return support.ok(officer.post(f"/api/v1/deliverables/{deliverable_id}/accept", json={
        "accepted_on": accepted_on, "accepted_quantity": accepted_quantity, "record_no": record_no}), 200)


def reject_delivery(officer, deliverable_id, reason="Không đạt yêu cầu"):
    return support.ok(officer.post(f"/api/v1/deliverables/{deliverable_id}/reject", json={"reason": reason}), 200)


def signed_commission(finance, officer, allocation_id, supplier_id, *items, **kw):
    """Proposed, approved by finance and signed by its unit: its deliverables are still planned."""
    commission = propose(officer, allocation_id, supplier_id, *items, **kw)
    approve(finance, commission["id"])
    return sign(officer, commission["id"])


def resolve_all(officer, commission):
    """Every deliverable delivered, then the first rejected and the others accepted: ready to close,
    and the first may be delivered again."""
    for index, deliverable in enumerate(commission["deliverables"]):
        deliver(officer, deliverable["id"], deliverable["quantity"])
        if index == 0:
            reject_delivery(officer, deliverable["id"])
        else:
            accept(officer, deliverable["id"], deliverable["quantity"])


def press_commission(roles, budget, *items, **kw):
    """A press commission proposed by the DIC on its press allocation (`budget` fixture)."""
    return propose(roles["dic"], budget.allocation("dic", "press"), budget.suppliers["press"], *items, **kw)


def unit_commission(roles, budget, *items, **kw):
    """A training commission proposed by STP on its training allocation (`budget` fixture)."""
    return propose(roles["unit"], budget.allocation("unit", "training"), budget.suppliers["training"], *items,
                   category="training", **kw)


def upload_to(client, path, data=support.PDF_BYTES, filename="bien-ban.pdf"):
    """POST one file as multipart `file` to a documents path."""
    import io
    return client.post(path, data={"file": (io.BytesIO(data), filename)}, content_type="multipart/form-data")
