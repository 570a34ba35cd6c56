"""The audit trail: one entry per change, the hash chain, append-only storage, concurrent appends."""
import json
import threading
import urllib.error
import urllib.request
from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from app.core.audit import GENESIS_HASH, AuditEntry, chain_hash, verify_chain
from app.extensions import db
from tests.support import PASSWORD


def entries(app, **filters):
    with app.app_context():
        stmt = sa.select(AuditEntry).order_by(AuditEntry.seq)
        for name, value in filters.items():
            stmt = stmt.where(getattr(AuditEntry, name) == value)
        rows = db.session.execute(stmt).scalars().all()
        db.session.expunge_all()
        return rows


def count(app):
    return len(entries(app))


def verify(app):
    with app.app_context():
        return verify_chain()


@contextmanager
def guard_lifted(app):
    """A connection on which the append-only triggers do not fire: only a tamperer does this."""
    with app.app_context():
        engine = db.engine
        with engine.connect() as conn:
            if engine.dialect.name == "postgresql":
                conn.execute(sa.text("SET session_replication_role = replica"))
                try:
                    yield conn
                    conn.commit()
                finally:
                    conn.rollback()
                    conn.execute(sa.text("SET session_replication_role = DEFAULT"))
                    conn.commit()
            else:
                triggers = conn.execute(sa.text(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_entries'"
                )).all()
                assert {name for name, _ in triggers} == {"audit_entries_no_update", "audit_entries_no_delete"}
                for name, _ in triggers:
                    conn.execute(sa.text(f"DROP TRIGGER {name}"))
                try:
                    yield conn
                finally:
                    for _, ddl in triggers:
                        conn.execute(sa.text(ddl))
                    conn.commit()


def make_changes(roles):
    """A few audited changes through the API (the roles fixture already wrote some)."""
    admin = roles["admin"]
    for code in ("SYT", "SXD", "SNV"):
        assert admin.post("/api/v1/units", json={"code": code, "name": f"Sở {code}", "kind": "department"}
                          ).status_code == 201


# --- one entry per change -----------------------------------------------------------------

def test_creating_a_unit_writes_exactly_one_entry(roles, app):
    before = count(app)
    response = roles["admin"].post("/api/v1/units", json={"code": "SYT", "name": "Sở Y tế", "kind": "department"})
    unit_id = response.get_json()["id"]
    new = entries(app)[before:]
    assert len(new) == 1
    entry = new[0]
    assert (entry.action, entry.entity, entry.entity_id, entry.actor) == ("unit.create", "unit", unit_id, "quantri")
    assert json.loads(entry.changes) == {"code": "SYT", "name": "Sở Y tế", "kind": "department"}


def test_creating_a_user_writes_exactly_one_entry_without_the_password(roles, app):
    before = count(app)
    body = {"username": "moi", "password": "mat-khau-bi-mat-123", "full_name": "Mới", "role": "auditor"}
    user_id = roles["admin"].post("/api/v1/users", json=body).get_json()["id"]
    new = entries(app)[before:]
    assert [(e.action, e.entity_id, e.actor) for e in new] == [("user.create", user_id, "quantri")]
    assert "mat-khau-bi-mat-123" not in new[0].changes
    assert "password" not in json.loads(new[0].changes)


def test_token_issue_and_revoke_are_audited(world, client, app):
    world.user("kiemtoan", "auditor")
    before = count(app)
    token = client.post("/api/v1/auth/token", json={"username": "kiemtoan", "password": PASSWORD}).get_json()["token"]
    client.delete("/api/v1/auth/token", headers={"Authorization": f"Bearer {token}"})
    assert [e.action for e in entries(app)[before:]] == ["auth.token_issue", "auth.token_revoke"]
    assert token not in "".join(e.changes for e in entries(app))


def test_password_change_and_deactivation_are_audited(world, app):
    from app.auth import services
    world.user("kiemtoan", "auditor")
    before = count(app)
    with app.app_context():
        user = services.get_user_by_username("kiemtoan")
        services.change_password(None, user, "mot-mat-khau-moi")
        db.session.commit()
        services.set_active(None, user, False)
        db.session.commit()
    assert [e.action for e in entries(app)[before:]] == ["user.password_change", "user.deactivate"]


@pytest.mark.parametrize("who,body", [
    ("admin", {"code": "STP", "name": "Trùng", "kind": "department"}),     # service refuses: duplicate
    ("admin", {"code": "NEW", "name": "Sở Mới", "kind": "galaxy"}),        # service refuses: kind
    ("admin", {"code": 5, "name": "Sở Mới", "kind": "department"}),        # schema refuses
    ("unit", {"code": "NEW", "name": "Sở Mới", "kind": "department"}),     # forbidden
    ("anonymous", {"code": "NEW", "name": "Sở Mới", "kind": "department"}),
])
def test_failed_requests_leave_no_entry(roles, app, who, body):
    before = count(app)
    response = roles[who].post("/api/v1/units", json=body)
    assert 400 <= response.status_code < 500
    assert count(app) == before


def test_failed_logins_leave_no_entry(world, client, app):
    world.user("kiemtoan", "auditor")
    before = count(app)
    client.post("/api/v1/auth/token", json={"username": "kiemtoan", "password": "wrong-password"})
    client.post("/api/v1/users", json={"username": "x"})
    assert count(app) == before


def test_a_change_rolled_back_after_its_entry_leaves_no_entry(roles, app):
    """The entry is written in the change's transaction: if that transaction fails, both go."""
    from app.units.services import create_unit
    before = count(app)
    with app.app_context():
        create_unit(None, code="SYT", name="Sở Y tế", kind="department")
        db.session.rollback()
    assert count(app) == before
    assert verify(app) == (before, None)


# --- GET /api/v1/audit ----------------------------------------------------------------------

def test_audit_list_pages_and_filters(roles, app):
    make_changes(roles)
    total = count(app)
    body = roles["auditor"].get("/api/v1/audit?per_page=2").get_json()
    assert body["total"] == total and body["page"] == 1 and body["per_page"] == 2
    assert [e["seq"] for e in body["items"]] == [total, total - 1]  # newest first
    item = body["items"][0]
    assert {"id", "seq", "at", "actor", "action", "entity", "entity_id", "changes", "prev_hash", "hash"} <= set(item)
    assert item["id"] == item["seq"] and item["changes"] == {"code": "SNV", "name": "Sở SNV", "kind": "department"}
    page2 = roles["auditor"].get("/api/v1/audit?per_page=2&page=2").get_json()
    assert [e["seq"] for e in page2["items"]] == [total - 2, total - 3]
    beyond = roles["auditor"].get(f"/api/v1/audit?per_page=2&page={total}").get_json()
    assert beyond["items"] == [] and beyond["total"] == total

    units = roles["finance"].get("/api/v1/audit?entity=unit").get_json()
    assert units["total"] == 4 + 3 and all(e["entity"] == "unit" for e in units["items"])
    syt = entries(app, action="unit.create", entity="unit")[-3]
    one = roles["admin"].get(f"/api/v1/audit?entity=unit&entity_id={syt.entity_id}").get_json()
    assert [e["seq"] for e in one["items"]] == [syt.seq]
    actions = roles["admin"].get("/api/v1/audit?action=user.create").get_json()
    assert actions["total"] == 6


@pytest.mark.parametrize("query,field", [
    ("per_page=0", "per_page"), ("per_page=201", "per_page"), ("page=0", "page"), ("page=abc", "page"),
    ("entity_id=abc", "entity_id"), ("entity_id=99999999999999999999", "entity_id"),
])
def test_audit_list_bad_queries(roles, query, field):
    response = roles["auditor"].get(f"/api/v1/audit?{query}")
    assert response.status_code == 422
    assert field in response.get_json()["details"]


def test_audit_list_max_page_size(roles):
    assert roles["auditor"].get("/api/v1/audit?per_page=200").status_code == 200


# --- the chain ------------------------------------------------------------------------------

def test_chain_links_every_entry(roles, app):
    make_changes(roles)
    rows = entries(app)
    assert [e.seq for e in rows] == list(range(1, len(rows) + 1))
    prev = GENESIS_HASH
    for entry in rows:
        assert entry.prev_hash == prev
        assert entry.hash == chain_hash(prev, entry.payload())
        prev = entry.hash
    assert verify(app) == (len(rows), None)


def test_cli_verify_passes_on_a_good_chain(roles, app):
    make_changes(roles)
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert str(count(app)) in result.output


def test_cli_verify_on_an_empty_trail(app):
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 0


def _cli_output(result):
    return result.output + (getattr(result, "stderr", "") or "")


@pytest.mark.parametrize("tamper,seq,good_before", [
    ("UPDATE audit_entries SET changes = '{\"code\":\"XXX\"}' WHERE seq = 9", 9, 8),
    ("UPDATE audit_entries SET actor = 'someone_else' WHERE seq = 5", 5, 4),
    ("UPDATE audit_entries SET hash = '" + "f" * 64 + "' WHERE seq = 3", 3, 2),
    ("DELETE FROM audit_entries WHERE seq = 7", 8, 6),  # a gap: the entry after it is the first bad one
])
def test_cli_verify_finds_a_tampered_entry(roles, app, tamper, seq, good_before):
    make_changes(roles)
    assert count(app) >= 10
    with guard_lifted(app) as conn:
        conn.execute(sa.text(tamper))
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"seq={seq}" in _cli_output(result)
    checked, problem = verify(app)
    assert problem is not None and problem.seq == seq and checked == good_before


def test_rewriting_an_entry_with_a_fresh_hash_still_breaks_the_chain(roles, app):
    """A forger who recomputes the hash of the entry he changed breaks the link to the next one."""
    make_changes(roles)
    target = entries(app)[3]
    payload = target.payload()
    payload["actor"] = "forger"
    forged = chain_hash(target.prev_hash, payload)
    with guard_lifted(app) as conn:
        conn.execute(sa.text("UPDATE audit_entries SET actor = 'forger', hash = :h WHERE seq = :s"),
                     {"h": forged, "s": target.seq})
    checked, problem = verify(app)
    assert problem is not None and problem.seq == target.seq + 1


def test_guard_is_back_after_tampering(roles, app):
    make_changes(roles)
    with guard_lifted(app) as conn:
        conn.execute(sa.text("UPDATE audit_entries SET actor = actor WHERE seq = 1"))
    _assert_update_refused(app)


def _assert_update_refused(app):
    with app.app_context():
        for statement in ("UPDATE audit_entries SET actor = 'someone_else' WHERE seq = 1",
                          "DELETE FROM audit_entries WHERE seq = 1"):
            with pytest.raises(sa.exc.DBAPIError) as caught:
                db.session.execute(sa.text(statement))
                db.session.flush()
            assert "append-only" in str(caught.value)
            db.session.rollback()


def test_update_and_delete_are_refused_by_the_database(roles, app):
    make_changes(roles)
    _assert_update_refused(app)
    assert verify(app)[1] is None
    assert entries(app)[0].actor != "someone_else"


# --- concurrency -----------------------------------------------------------------------------

def test_twenty_concurrent_audited_writes_keep_one_chain(roles, world, app, live_server):
    token = world.token("quantri")
    before = count(app)
    results, barrier = [], threading.Barrier(20)

    def post(i):
        body = json.dumps({"code": f"CC{i:02d}", "name": f"Đơn vị đồng thời {i}", "kind": "other"}).encode()
        request = urllib.request.Request(
            live_server.url + "/api/v1/units", data=body, method="POST",
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        barrier.wait(timeout=30)
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                results.append(response.status)
        except urllib.error.HTTPError as error:
            results.append((error.code, error.read()[:300]))
        except Exception as error:  # noqa: BLE001 - report, do not hang
            results.append(repr(error))

    threads = [threading.Thread(target=post, args=(i,)) for i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert results == [201] * 20, results
    rows = entries(app)
    assert [e.seq for e in rows] == list(range(1, len(rows) + 1))
    assert len(rows) == before + 20  # one per unit
    assert sorted(json.loads(e.changes)["code"] for e in rows if e.action == "unit.create"
                  and json.loads(e.changes)["code"].startswith("CC")) == [f"CC{i:02d}" for i in range(20)]
    assert verify(app) == (len(rows), None)
