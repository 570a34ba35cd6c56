"""List totals past LIST_EXACT_COUNT_LIMIT: counted no further, then estimated on PostgreSQL and said so."""
import pytest

from tests import support


def _allocations(client):
    return support.get(client, "/api/v1/allocations?per_page=200")


def test_a_list_within_the_limit_is_counted_exactly(app, roles, budget):
    body = _allocations(roles["finance"])
    assert body["total"] == len(body["items"]) > 2 and body["total_estimated"] is False


@pytest.fixture
def low_limit(app):
    saved = app.config["LIST_EXACT_COUNT_LIMIT"]
    app.config["LIST_EXACT_COUNT_LIMIT"] = 2
    yield 2
    app.config["LIST_EXACT_COUNT_LIMIT"] = saved


def test_past_the_limit_postgresql_estimates_and_says_so_sqlite_counts(app, roles, budget, low_limit):
    rows = len(_allocations(roles["finance"])["items"])
    body = _allocations(roles["finance"])
    if app.config["TEST_DB_URL"].startswith("postgresql"):
        assert body["total_estimated"] is True and body["total"] > low_limit
    else:
        assert (body["total"], body["total_estimated"]) == (rows, False)
    assert len(body["items"]) == rows  # the page itself is whole either way


def test_past_the_limit_the_count_costs_the_same_statements(app, roles, budget, low_limit):
    count, body = support.statements_for(app, roles["finance"], "/api/v1/allocations")
    extra = 1 if body["total_estimated"] else 0  # the planner's estimate
    app.config["LIST_EXACT_COUNT_LIMIT"] = 10_000
    exact_count, _ = support.statements_for(app, roles["finance"], "/api/v1/allocations")
    assert count == exact_count + extra
