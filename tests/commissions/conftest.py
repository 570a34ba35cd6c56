"""The money the commission tests spend: one envelope, allocations of every category for the DIC
(SVHTTDL) and for STP, one of An Nhơn, and a supplier of each kind; all made through the API."""
from dataclasses import dataclass

import pytest

from tests import support as h
from tests.commissions import builders as b

CATEGORIES = ("press", "it_monitoring", "training", "operations", "other")


@dataclass
class Budget:
    envelope: int
    allocations: dict      # (owner key, category) -> allocation id
    suppliers: dict        # supplier kind -> supplier id

    def allocation(self, owner, category):
        return self.allocations[owner, category]

    def supplier_for(self, category):
        return self.suppliers[b.SUPPLIER_KIND_FOR.get(category, "other")]


@pytest.fixture
def budget(roles) -> Budget:
    finance = roles["finance"]
    envelope = h.envelope(finance, 10_000_000_000)["id"]
    allocations = {}
    for owner in ("dic", "unit"):
        unit_code = h.ROLE_PEOPLE[owner][2]
        for category in CATEGORIES:
            allocations[owner, category] = h.allocation(finance, envelope, unit_code, 500_000_000,
                                                        category=category)["id"]
    allocations["other_unit", "training"] = h.allocation(finance, envelope, "ANNHON", 500_000_000,
                                                         category="training")["id"]
    suppliers = {kind: b.supplier(finance, kind=kind, name=f"Nhà cung cấp {kind}")["id"]
                 for kind in ("press", "it_service", "training", "other")}
    return Budget(envelope, allocations, suppliers)

