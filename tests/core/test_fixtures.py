"""The per-test reset: every test that asks for `roles` gets the saved world exactly as it was built,
whatever the test before it wrote (rows, sequences, the audit chain)."""
import pytest

from app.core.audit import verify_chain
from app.extensions import db
from tests.support import audit_total, ok


@pytest.mark.parametrize("run", [1, 2])
def test_each_test_starts_from_the_saved_world(roles, app, run):
    admin = roles["admin"]
    units = ok(admin.get("/api/v1/units"), 200)
    assert [u["code"] for u in units["items"]] == ["ANNHON", "STC", "STP", "SVHTTDL"]
    assert audit_total(roles["auditor"]) == 4 + 6 + 2 + 6  # units, users, the two role grants, tokens
    created = ok(admin.post("/api/v1/units", json={"code": "SYT", "name": "Sở Y tế", "kind": "department"}),
                 201)
    assert created["id"] == 5  # the ids go on from the saved world, not from the last test's
    with app.app_context():
        assert verify_chain() == (4 + 6 + 2 + 6 + 1, None)
        db.session.remove()
    for key in ("unit", "dic", "other_unit", "finance", "auditor", "admin"):
        assert roles[key].get("/api/v1/me").status_code == 200


def test_a_test_without_roles_starts_empty(client, world):
    world.unit("STP", "Sở Tư pháp")  # would clash if the saved world were there
    assert client.post("/api/v1/auth/token", json={"username": "donvi", "password": "x" * 12}
                       ).status_code == 401
