"""Reads that stay cheap: details load only what they return, pages are found by their ids."""
import pytest
import sqlalchemy as sa

from app.core.database import engines
from app.extensions import db
from tests import support
from tests.fixtures.worlds import build_world, saved_world


@saved_world(scope="module")
def _budget_reads_world(app, _roles_world):
    return build_world(app, "budget_reads.budget", lambda: _build_budget(_roles_world.clients(app)),
                       base=_roles_world)


@pytest.fixture
def budget(_budget_reads_world):
    """An envelope with a supplement; STP's request, returned and submitted again, with an allocation,
    an adjustment and a document. Built once for the module, restored before each test."""
    return _budget_reads_world.copy()


def _build_budget(roles):
    unit, finance = roles["unit"], roles["finance"]
    env = support.envelope(finance, 10_000_000_000)
    support.ok(finance.post(f"/api/v1/envelopes/{env['id']}/supplements",
                            json={"amount": 5, "decision_no": "7/QĐ", "decision_date": "2026-07-07"}), 201)
    request = support.submitted_request(unit)
    support.ok(finance.post(f"/api/v1/requests/{request['id']}/return", json={"reason": "Bổ sung hồ sơ"}), 200)
    support.ok(unit.post(f"/api/v1/requests/{request['id']}/submit"), 200)
    allocation = support.allocation(finance, env["id"], amount=200_000_000, request_id=request["id"])
    support.ok(support.adjustment(finance, allocation["id"], 5_000_000), 201)
    support.ok(support.upload(unit, request["id"]), 201)
    return {"envelope": env["id"], "request": request["id"], "allocation": allocation["id"]}


# token lookup + what the response dumps, nothing else
DETAIL_STATEMENTS = {
    "/api/v1/me": 1,
    "/api/v1/allocations/{allocation}": 2,  # token; allocation with envelope, unit, request, adjustments
    "/api/v1/envelopes/{envelope}": 3,  # token; envelope; decisions
    "/api/v1/requests/{request}": 4,  # token; request with unit; lines; the users who acted, at once
}


@pytest.mark.parametrize("path", DETAIL_STATEMENTS)
@pytest.mark.parametrize("role", ["finance", "unit"])
def test_detail_endpoints_run_only_the_statements_they_need(app, roles, budget, path, role):
    count, body = support.statements_for(app, roles[role], path.format(**budget))
    assert count == DETAIL_STATEMENTS[path], count
    assert body["id"]


def test_allocation_detail_shows_everything_it_promises(app, roles, budget):
    _count, body = support.statements_for(app, roles["unit"], f"/api/v1/allocations/{budget['allocation']}")
    assert body["envelope_code"] and body["fiscal_year"] == 2026 and body["unit"]["code"] == "STP"
    assert body["request_number"].startswith("DN-2026-")
    assert [a["amount"] for a in body["adjustments"]] == [5_000_000]
    assert (body["amount"], body["available"]) == (205_000_000, 205_000_000)


def test_allocation_detail_answers_what_the_list_answers_for_the_same_allocation(app, roles, budget):
    """The detail reads plain rows, the list ORM objects: both dump the same answer, adjustments in order."""
    finance = roles["finance"]
    support.ok(support.adjustment(finance, budget["allocation"], -2_000_000), 201)
    detail = support.get(finance, f"/api/v1/allocations/{budget['allocation']}")
    listed = [row for row in support.get(finance, "/api/v1/allocations?per_page=100")["items"]
              if row["id"] == budget["allocation"]]
    assert listed == [detail]
    assert [a["amount"] for a in detail["adjustments"]] == [5_000_000, -2_000_000]
    assert detail["available"] == 203_000_000


def test_allocation_detail_of_another_unit_reads_as_missing(app, roles, budget):
    response = roles["other_unit"].get(f"/api/v1/allocations/{budget['allocation']}")
    assert response.status_code == 404 and response.get_json()["error"] == "not_found"
    assert roles["unit"].get("/api/v1/allocations/999999").status_code == 404


def _autocommit_seen(app, client, path) -> set:
    """Whether each statement of one GET ran on an autocommit connection (PostgreSQL)."""
    seen = set()
    listener = lambda _conn, cursor, *_args: seen.add(cursor.connection.autocommit)  # noqa: E731
    for engine in engines(app):
        sa.event.listen(engine, "before_cursor_execute", listener)
    try:
        assert client.get(path).status_code == 200
    finally:
        for engine in engines(app):
            sa.event.remove(engine, "before_cursor_execute", listener)
    return seen


def test_the_allocation_detail_reads_without_begin_or_commit_on_postgresql(app, roles, budget):
    if not app.config["TEST_DB_URL"].startswith("postgresql"):
        pytest.skip("autocommit reads are PostgreSQL's (SQLite keeps its deferred BEGIN)")
    finance = roles["finance"]
    assert _autocommit_seen(app, finance, f"/api/v1/allocations/{budget['allocation']}") == {True}
    assert _autocommit_seen(app, finance, f"/api/v1/requests/{budget['request']}") == {False}  # not marked
    support.ok(support.adjustment(finance, budget["allocation"], 1_000_000), 201)  # writes still commit
    assert support.get(finance, f"/api/v1/allocations/{budget['allocation']}")["amount"] == 206_000_000


def test_request_detail_names_everyone_who_acted(app, roles, budget):
    _count, body = support.statements_for(app, roles["finance"], f"/api/v1/requests/{budget['request']}")
    assert (body["created_by"], body["submitted_by"], body["returned_by"], body["approved_by"]) == (
        "donvi", "donvi", "taichinh", "taichinh")
    assert body["rejected_by"] is None and body["unit"]["code"] == "STP" and len(body["lines"]) == 2


@pytest.mark.parametrize("path", ["/api/v1/requests", "/api/v1/allocations", "/api/v1/audit"])
def test_late_pages_are_the_same_rows_in_the_same_order_for_the_same_cost(app, roles, path):
    unit, finance = roles["unit"], roles["finance"]
    env = support.envelope(finance, 10_000_000_000)
    for _ in range(7):
        support.allocation(finance, env["id"], amount=1_000_000)
        support.submitted_request(unit)
    everything = support.get(finance, f"{path}?per_page=200")["items"]
    key = "seq" if path.endswith("audit") else "id"
    pages, costs = [], []
    for page in range(1, len(everything) // 3 + 2):
        count, body = support.statements_for(app, finance, f"{path}?per_page=3&page={page}")
        pages.extend(item[key] for item in body["items"])
        costs.append(count)
    assert pages == [item[key] for item in everything]
    assert len(set(costs[:-1])) == 1  # the last page may be empty of rows to fill


def test_text_search_can_use_trigram_indexes_on_postgresql(app, roles):
    if not app.config["TEST_DB_URL"].startswith("postgresql"):
        pytest.skip("trigram indexes are PostgreSQL's; SQLite keeps its scan")
    import sqlalchemy as sa


    support.funding_request(roles["unit"], title="Tuyên truyền chuyển đổi số")
    with app.app_context():
        indexes = dict(db.session.execute(sa.text(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'funding_requests'")).all())
        for column in ("title", "number"):
            assert "gin_trgm_ops" in indexes[f"ix_funding_requests_{column}_trgm"]
        # the count a search runs, with plain scans ruled out: the trigram indexes must serve it
        db.session.execute(sa.text("SET LOCAL enable_seqscan = off"))
        db.session.execute(sa.text("SET LOCAL enable_indexscan = off"))
        plan = "\n".join(db.session.execute(sa.text(
            "EXPLAIN SELECT count(*) FROM funding_requests WHERE number ILIKE '%chuyển đổi%' "
            "OR title ILIKE '%chuyển đổi%'")).scalars())
        db.session.rollback()
    assert "ix_funding_requests_title_trgm" in plan and "ix_funding_requests_number_trgm" in plan, plan


def test_the_autocommit_reads_give_their_connection_back(app, roles, budget):
    """Every request returns its reader connection, whatever it answers: a leak would empty the pool."""
    if not app.config["TEST_DB_URL"].startswith("postgresql"):
        pytest.skip("the autocommit reader is PostgreSQL's")
    reader = app.extensions["pcb_autocommit_reader"]
    path = f"/api/v1/allocations/{budget['allocation']}"
    for client, status in ((roles["finance"], 200), (roles["other_unit"], 404), (roles["unit"], 200)):
        assert client.get(path).status_code == status
        assert reader.pool.checkedout() == 0
    assert roles["finance"].get("/api/v1/allocations/999999").status_code == 404
    assert reader.pool.checkedout() == 0
    assert app.test_client().get(path).status_code == 401  # no token: refused before any read
    assert reader.pool.checkedout() == 0
