"""The list searches by index (app/core/search.py): on SQLite the FTS5 trigram tables of migration
0012 follow every change made through the services, answer a text of three characters or more
(a shorter one keeps the LIKE scan) and serve the request list's search without a scan of the
table; on both databases a search finds the same rows as a case-insensitive substring would, and
FTS5's operators or LIKE's wildcards in what a user types are plain characters."""
import pytest
import sqlalchemy as sa

from app.extensions import db
from tests.commissions import builders
from tests.fixtures.database import is_postgres
from tests.support import Browser, funding_request, get, ok, text

FTS_TABLES = ("funding_requests_fts", "commissions_fts", "expenditures_fts")
# text that FTS5 would read as syntax, or LIKE as wildcards, if passed through as it is
HOSTILE_TITLES = ('Tin "nóng" về 50% học_sinh', "Chống tin giả - phần 2*", "Pano OR tờ gấp NEAR(đường phố)",
                  "Tập huấn ^cán bộ: năm 2026")
HOSTILE_QUERIES = ('"', '""', '"nóng"', '"nóng', 'nóng" OR "Pano', "*", "2*", "phần 2*", "OR", "Pano OR",
                   "OR tờ", "NEAR(", "NEAR(đường", "-", " - ", "giả -", "%", "50%", "0% h", "_", "học_sinh",
                   "c_s", "^cán", "bộ:", ":", "AND", "NOT", "tin NOT", "*)", '")', "((", "/", "\\", "'")


def _ids(client, path) -> list[int]:
    return [item["id"] for item in get(client, path)["items"]]


def _expected(rows, q, *fields) -> list[int]:
    """What a case-insensitive substring search of `fields` finds, newest first (as the lists sort);
    the list strips the text it is given, as every text input."""
    q = q.strip()
    return sorted((row["id"] for row in rows if any(q.lower() in row[f].lower() for f in fields)), reverse=True)


def _quoted(q: str) -> str:
    from urllib.parse import quote
    return quote(q, safe="")


@pytest.fixture
def sqlite_only(app):
    if is_postgres(app):
        pytest.skip("the FTS5 tables are SQLite's; PostgreSQL searches with its trigram GIN indexes")


def _fts_ids(app, fts, q) -> set[int]:
    with app.app_context():
        ids = set(db.session.execute(sa.text(f"SELECT rowid FROM {fts} WHERE {fts} MATCH :q"),
                                     {"q": '"' + q.replace('"', '""') + '"'}).scalars())
        db.session.remove()
    return ids


def _integrity_checked(app):
    """FTS5's own check that each index holds exactly what its content table holds (rank 1: compare
    with the external content too); raises if not."""
    with app.app_context():
        for fts in FTS_TABLES:
            db.session.execute(sa.text(f"INSERT INTO {fts}({fts}, rank) VALUES ('integrity-check', 1)"))
        db.session.rollback()
        db.session.remove()


def test_the_request_index_follows_creation_and_renaming(app, roles, sqlite_only):
    unit, finance = roles["unit"], roles["finance"]
    created = funding_request(unit, title="Phổ biến Luật Đất đai 2024")
    assert _fts_ids(app, "funding_requests_fts", "Luật Đất đai") == {created["id"]}
    assert _ids(unit, "/api/v1/requests?q=luật đất") == [created["id"]]
    ok(unit.patch(f"/api/v1/requests/{created['id']}", json={"title": "Tuyên truyền chuyển đổi số"}), 200)
    assert _fts_ids(app, "funding_requests_fts", "Luật Đất đai") == set()
    assert _fts_ids(app, "funding_requests_fts", "chuyển đổi số") == {created["id"]}
    assert _ids(unit, "/api/v1/requests?q=luật đất") == []
    assert _ids(unit, "/api/v1/requests?q=CHUYỂN ĐỔI") == [created["id"]]  # trigram folds case (not just ASCII)
    submitted = ok(unit.post(f"/api/v1/requests/{created['id']}/submit"), 200)  # updates other columns only
    ok(unit.post(f"/api/v1/requests/{created['id']}/withdraw"), 200)
    assert _ids(finance, f"/api/v1/requests?q={submitted['number']}") == [created["id"]]
    _integrity_checked(app)


def test_a_deleted_row_leaves_its_index(app, roles, sqlite_only):
    """No service deletes a request; the trigger is there for whatever does (a repair by hand)."""
    created = funding_request(roles["unit"], title="Bản nháp sẽ xóa")
    with app.app_context():
        db.session.execute(sa.text("DELETE FROM request_lines WHERE request_id = :id"), {"id": created["id"]})
        db.session.execute(sa.text("DELETE FROM funding_requests WHERE id = :id"), {"id": created["id"]})
        db.session.commit()
        db.session.remove()
    assert _fts_ids(app, "funding_requests_fts", "sẽ xóa") == set()
    _integrity_checked(app)


def test_the_spending_world_is_indexed(app, spending, sqlite_only):
    """Commissions proposed, approved, signed, closed; entries posted and reversed: all through the
    services, and every index agrees with its table."""
    assert _fts_ids(app, "commissions_fts", spending.press["number"]) == {spending.press["id"]}
    assert _fts_ids(app, "expenditures_fts", "TT-STP-01") == {spending.reversed_payment["id"], spending.reversal["id"]}
    _integrity_checked(app)


def test_requests_search_literal_text(app, roles):
    unit = roles["unit"]
    for title in HOSTILE_TITLES:
        funding_request(unit, title=title)
    rows = get(unit, "/api/v1/requests?per_page=100")["items"]
    assert len(rows) == len(HOSTILE_TITLES)
    for q in HOSTILE_QUERIES + ("Tin", "tin", "TIN", "in", "2", "20", "phần", "ĐỀ", "DN-"):
        response = unit.get(f"/api/v1/requests?q={_quoted(q)}&per_page=100")
        assert response.status_code == 200, (q, response.get_json())
        if q.isascii() or len(q) >= 3:  # SQLite's LIKE folds ASCII only; the trigram index folds all
            assert [r["id"] for r in response.get_json()["items"]] == _expected(rows, q, "number", "title"), q


def test_a_short_search_still_works(app, roles):
    unit = roles["unit"]
    first = funding_request(unit, title="Tập huấn A1")
    second = funding_request(unit, title="Pano B2")
    assert _ids(unit, "/api/v1/requests?q=a1") == [first["id"]]
    assert _ids(unit, "/api/v1/requests?q=2") == sorted([first["id"], second["id"]], reverse=True)  # years, B2
    assert _ids(unit, "/api/v1/requests?q=B") == [second["id"]]
    assert _ids(unit, "/api/v1/requests?q=%25") == []
    assert _ids(unit, "/api/v1/requests?q=_") == []


def test_commissions_search_literal_text(app, spending, roles):
    """The commission list page's search (the API lists take no text)."""
    import re
    dic, finance = roles["dic"], roles["finance"]
    allocation, supplier = spending.budget.allocation("dic", "press"), spending.budget.suppliers["press"]
    for title in HOSTILE_TITLES:
        builders.propose(dic, allocation, supplier, title=title)
    rows = get(finance, "/api/v1/commissions?per_page=100")["items"]
    browser = Browser(app, "taichinh")
    number_of = {row["id"]: row["number"] for row in rows}
    for q in HOSTILE_QUERIES + ("Tuyên truyền", "tuyên", "ĐH", "2026", "26"):
        response = browser.get(f"/commissions?q={_quoted(q)}&per_page=100")
        assert response.status_code == 200, q
        found = re.findall(r'data-testid="commission-row" data-number="([^"]*)"', text(response))
        if q.isascii() or len(q) >= 3:
            assert sorted(found) == sorted(number_of[i] for i in _expected(rows, q, "number", "title")), q


def _vouchers(page: str) -> list[str]:
    import re
    return sorted(re.findall(r'data-testid="expenditure-row" data-voucher="([^"]*)"', page))


def test_expenditures_search_literal_text(app, spending):
    auditor = Browser(app, "kiemtoan")

    def found(q):
        response = auditor.get(f"/expenditures?q={_quoted(q)}")
        assert response.status_code == 200, q
        return _vouchers(text(response))
    assert found("TT-STP-01") == ["TT-STP-01", "TT-STP-01/ĐẢO"]
    assert found("tt-stp-01/") == ["TT-STP-01/ĐẢO"]
    assert found("+ct-0") == ["+CT-03"]
    assert found("@nhà") == ["+CT-03"]            # the payee
    assert found("bồi dưỡng") == ["CT-AN-01"]     # the payee, not ASCII
    assert found(spending.press["number"]) == ["TT-01/2026", "TU-01/2026"]  # the commission's number: joined
    for q in ('"', 'CT" OR "TT', "TT*", "NEAR(", "CT-AN-01 NOT", "%", "_", "T_-", "^TT", "voucher_no:TT"):
        assert found(q) == [], q


def test_the_request_search_reads_the_index_not_the_table(app, roles, sqlite_only):
    funding_request(roles["unit"], title="Tuyên truyền chuyển đổi số")
    ran = []

    def record(_conn, _cursor, statement, parameters, *_args):
        ran.append((statement, parameters))
    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        assert _ids(roles["finance"], "/api/v1/requests?q=khong-co-de-nghi-nay") == []
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    searches = [(sql, parameters) for sql, parameters in ran if "funding_requests_fts MATCH" in sql]
    assert len(searches) == 2, ran  # the page and its count
    with app.app_context():
        connection = db.session.connection()
        for sql, parameters in searches:
            plan = [row[3] for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", parameters).all()]
            assert any("funding_requests_fts VIRTUAL TABLE INDEX" in step for step in plan), plan
            assert not any(step.startswith("SCAN funding_requests") and "_fts" not in step for step in plan), plan
        db.session.remove()


def test_the_kernel_helper_quotes_for_fts5():
    from app.core.search import fts_string
    assert fts_string('a "b" c') == '"a ""b"" c"'
    assert fts_string("OR") == '"OR"'


def test_the_condition_by_database_and_length(app):
    """SQLite: a short text keeps LIKE, a longer one reads the index; PostgreSQL: always ILIKE."""
    from app.core.search import text_filter
    from budgets.models import FundingRequest
    with app.app_context():
        dialect = db.session.get_bind().dialect
        long, short = (str(text_filter(q, FundingRequest.number, FundingRequest.title, fts="funding_requests_fts")
                           .compile(dialect=dialect)) for q in ("abc", "ab"))
        db.session.remove()
    if is_postgres(app):
        assert long.count("ILIKE") == 2 and "MATCH" not in long
    else:
        assert "funding_requests_fts MATCH" in long and "LIKE" not in long
    assert short.count("LIKE") == 2 and "MATCH" not in short
