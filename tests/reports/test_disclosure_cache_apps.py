"""The disclosure cache is emptied by a committed write even when the process made another app first
(the session's listeners are shared by every app the process makes; the tests make several)."""
from app import create_app
from app.extensions import db
from reports.disclosure.publication import CACHE
from tests.support import DIC_UNIT_CODE


def test_a_write_empties_the_cache_of_an_app_made_after_another(app, roles, _roles_world):
    later = create_app({"SQLALCHEMY_DATABASE_URI": app.config["TEST_DB_URL"], "SERVER_NAME": None,
                        "DIC_UNIT_CODE": DIC_UNIT_CODE})  # the same database; its listeners come second
    try:
        _a_write_empties(later, _roles_world.tokens["finance"])
    finally:
        with later.app_context():
            db.engine.dispose()  # no connection left open on the file the next test's restore replaces


def _a_write_empties(later, token):
    cache = later.extensions[CACHE]
    cache.get_or_compute(("year", "q1"), lambda: "figures")
    client = later.test_client()
    finance = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/me", headers=finance).status_code == 200  # no write: the cache stays
    assert len(cache) == 1
    written = client.post("/api/v1/envelopes", headers=finance, json={
        "fiscal_year": 2026, "code": "NKP-CACHE", "name": "Kinh phí truyền thông chính sách", "amount": 1_000_000,
        "decision_no": "123/QĐ-UBND", "decision_date": "2026-01-10"})
    assert written.status_code == 201
    assert len(cache) == 0
