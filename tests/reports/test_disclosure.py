"""Công khai (issue 21 item 3): `/cong-khai`, `GET /api/v1/public/disclosure`, the CSV tables and the
public OCDS package, read by anyone without a login; cached and rate-limited.

The `spending` world (all spending paid on 01/06, contracts signed on 01/02, acceptances on 02/05):
the DIC spent 20,000,000, STP 3,000,000 and An Nhơn 2,000,000; today (the machine's clock) is in
December of that year, so 3, 6 and 9 months are disclosed and the year is not yet."""
import csv
import io
import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests import support
from tests.commissions import builders
from tests.reports.builders import YEAR
from tests.support import ROLE_PEOPLE, Browser, text

API = "/api/v1/public/disclosure"


@pytest.fixture(autouse=True)
def fresh_limits(app):
    """Each test starts with an empty cache and a fresh rate-limit window."""
    from reports.disclosure.limits import limiter
    app.extensions["disclosure_cache"].clear()
    with app.app_context():
        limiter.reset()
    yield
    app.extensions["disclosure_cache"].clear()


def public(client, query="", status=200):
    response = client.get(f"{API}?{query}")
    assert response.status_code == status, response.get_json()
    return response.get_json()


def units(body) -> dict:
    return {row["unit_code"]: row for row in body["units"]}


def test_anyone_reads_the_execution_per_unit_of_a_period(spending, roles):
    anonymous = roles["anonymous"]
    half = public(anonymous, f"fiscal_year={YEAR}&period=q2")
    assert (half["fiscal_year"], half["period"], half["period_end"], half["published_on"]) == (
        YEAR, "q2", f"{YEAR}-06-30", f"{YEAR}-07-01")
    rows = units(half)
    # STP's wrong payment of 10,000,000 (01/06) stood at 30/06: finance reversed it today, in December
    assert {code: rows[code]["executed"] for code in ("SVHTTDL", "STP", "ANNHON")} == {
        **spending.spent_by_unit, "STP": 13_000_000}
    stp = rows["STP"]
    assert stp["estimate"] == 2_500_000_000 and stp["executed_pct_of_estimate"] == 0.5  # 13 M of 2.5 bn
    assert stp["executed_last_year"] == 0 and stp["executed_pct_of_last_year"] is None  # no year before
    assert half["totals"]["executed"] == spending.total_spent + 10_000_000
    # the first quarter: contracts already signed, nothing paid or accepted yet
    first = public(anonymous, f"fiscal_year={YEAR}&period=q1")
    assert all(row["executed"] == 0 for row in first["units"]) and first["deliverables"] == []
    assert {c["number"] for c in first["commissions"]} == {spending.press["number"], spending.training["number"]}
    assert [p["available"] for p in first["periods"]] == [True, True, True, False]


def test_signed_commissions_and_accepted_deliverables(spending, roles):
    body = public(roles["anonymous"], f"fiscal_year={YEAR}&period=q3")
    commissions = {c["number"]: c for c in body["commissions"]}
    press = commissions[spending.press["number"]]
    assert (press["title"], press["supplier"], press["value"], press["paid"], press["status"]) == (
        spending.press["title"], "Nhà cung cấp press", 20_000_000, 20_000_000, "signed")
    assert commissions[spending.training["number"]]["paid"] == 10_000_000  # reversed only in December
    assert spending.proposed["number"] not in commissions  # never a proposal
    accepted = [(d["commission_number"], d["accepted_quantity"], d["accepted_value"]) for d in body["deliverables"]]
    assert accepted == [(spending.press["number"], 2, 10_000_000)] * 2 + [(spending.training["number"], 2, 10_000_000)]


def test_no_draft_document_user_contact_or_payee_is_published(app, spending, roles, budget):
    support.ok(builders.upload_to(roles["dic"], f"/api/v1/commissions/{spending.press['id']}/documents",
                                  filename="hop-dong-mat.pdf"), 201)
    texts = [json.dumps(public(roles["anonymous"], f"fiscal_year={YEAR}&period={p}"), ensure_ascii=False)
             for p in ("q1", "q2", "q3")]
    texts += [text(roles["anonymous"].get(f"/cong-khai?fiscal_year={YEAR}&period=q3"))]
    texts += [roles["anonymous"].get(f"/cong-khai.csv?fiscal_year={YEAR}&period=q3&table={t}").data.decode()
              for t in ("units", "commissions", "deliverables")]
    secret = ["Chưa duyệt", "hop-dong-mat.pdf", "/documents/", "contactPoint", "@", "Báo và Phát thanh",
              "TT-01/2026", "TU-01/2026", "@Nhà in"]
    secret += [username for username, *_rest in ROLE_PEOPLE.values()]
    for published in texts:
        assert [s for s in secret if s in published] == []
        assert spending.press["supplier"]["tax_code"] not in published
    # the OCDS package names suppliers by their tax code (the open-data identifier), and nothing else of them
    ocds = roles["anonymous"].get(f"/cong-khai/ocds.json?fiscal_year={YEAR}").data.decode()
    assert [s for s in secret if s in ocds] == []


@pytest.mark.parametrize("query, field", [
    (f"fiscal_year={YEAR}&period=year", "period"),          # the year is disclosed from 01/02 next year
    (f"fiscal_year={YEAR + 1}", "fiscal_year"),               # nothing of next year yet
    ("fiscal_year=1999", "fiscal_year"), ("fiscal_year=x", "fiscal_year"),
    ("fiscal_year=99999999999999999999", "fiscal_year"), ("period=q5", "period")])
def test_periods_and_years_that_do_not_exist_are_a_422(spending, roles, query, field):
    body = public(roles["anonymous"], query, status=422)
    assert body["error"] == "validation_error" and field in body["details"]


def test_the_year_and_the_same_period_last_year_once_disclosed(app, spending, roles):
    with time_machine.travel(datetime(YEAR + 2, 2, 2, 9, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")), tick=True):
        year = public(roles["anonymous"], f"fiscal_year={YEAR}&period=year")
        assert year["published_on"] == f"{YEAR + 1}-02-01" and year["spending_until"] == f"{YEAR + 1}-01-31"
        assert units(year)["STP"]["executed"] == 3_000_000  # the reversal is within the year
        assert {c["number"]: c["paid"] for c in year["commissions"]}[spending.training["number"]] == 0
        later = public(roles["anonymous"], f"fiscal_year={YEAR + 1}&period=q2")
        assert units(later) == {}  # a year without data: no row, no error
        assert later["totals"]["executed_pct_of_last_year"] is None


def test_a_commission_cancelled_after_publication_stays_listed_as_cancelled(app, spending, roles, budget):
    dic, finance = roles["dic"], roles["finance"]
    late = builders.signed_commission(finance, dic, budget.allocation("dic", "press"), budget.suppliers["press"],
                                      title="Hủy sau khi công khai")
    before = {c["number"]: c for c in public(roles["anonymous"], f"fiscal_year={YEAR}&period=q1")["commissions"]}
    assert before[late["number"]]["status"] == "signed"
    support.ok(dic.post(f"/api/v1/commissions/{late['id']}/cancel", json={"reason": "Nhà cung cấp xin dừng"}), 200)
    after = {c["number"]: c for c in public(roles["anonymous"], f"fiscal_year={YEAR}&period=q1")["commissions"]}
    assert after[late["number"]]["status"] == "cancelled"  # the write emptied the cache at once
    page = text(roles["anonymous"].get(f"/cong-khai?fiscal_year={YEAR}&period=q1"))
    assert f'data-key="{late["number"]}" data-status="cancelled"' in page and "Đã hủy" in page


def test_anonymous_reads_are_served_from_the_cache(app, spending, roles):
    path = f"{API}?fiscal_year={YEAR}&period=q2"
    first, body = support.statements_for(app, roles["anonymous"], path)
    again, cached = support.statements_for(app, roles["anonymous"], path)
    page, _ = support.statements_for(app, roles["anonymous"], f"/cong-khai?fiscal_year={YEAR}&period=q2")
    # the units' three, the counts of the two lists, and the first page of each
    assert first == 6 and again == 0 and cached == body
    assert page == 0  # the summary and the first pages the API put in the cache
    with support.CountedStatements(app) as statements:
        assert roles["anonymous"].get(f"/cong-khai?fiscal_year={YEAR}&period=q2").status_code == 200
        assert roles["anonymous"].get(f"{API}/commissions?fiscal_year={YEAR}&period=q2").status_code == 200
    assert len(statements) == 0
    later, _ = support.statements_for(app, roles["anonymous"], f"{API}/commissions?fiscal_year={YEAR}&period=q2&page=2")
    assert later == 1  # a page not yet asked for: its rows alone (the counts are cached)


def _cache_off(app):
    app.config["DISCLOSURE_CACHE_SECONDS"] = 0
    app.extensions["disclosure_cache"].seconds = 0


def _more_commissions(roles, budget, n, title="Thêm"):
    return [builders.signed_commission(roles["finance"], roles["dic"], budget.allocation("dic", "press"),
                                       budget.suppliers["press"], title=f"{title} {i}") for i in range(n)]


PATHS = {  # each request and the statements it runs with the cache off, whatever the data
    f"{API}?fiscal_year={YEAR}&period=q3": 6,
    f"{API}/commissions?fiscal_year={YEAR}&period=q3": 2,
    f"{API}/commissions?fiscal_year={YEAR}&period=q3&per_page=3&page=2": 2,
    f"{API}/commissions?fiscal_year={YEAR}&period=q3&per_page=3&page=400": 2,
    f"{API}/deliverables?fiscal_year={YEAR}&period=q3&per_page=2&page=2": 2,
    f"/cong-khai?fiscal_year={YEAR}&period=q3": 6,
    f"/cong-khai?fiscal_year={YEAR}&period=q3&page=3&deliverables_page=2": 6,
}


def test_the_statements_do_not_grow_with_the_data(app, spending, roles, budget, monkeypatch):
    from reports.disclosure import views
    _cache_off(app)
    monkeypatch.setattr(views, "PAGE_SIZE", 3)  # the page's lists: three rows a page, so that several pages exist

    def counted():
        counts = {}
        for path in PATHS:
            with support.CountedStatements(app) as statements:
                assert roles["anonymous"].get(path).status_code == 200, path
            counts[path] = len(statements)
        return counts
    few = counted()
    _more_commissions(roles, budget, 3)
    some = counted()
    _more_commissions(roles, budget, 12)
    many = counted()
    assert few == some == many == PATHS
    body = public(roles["anonymous"], f"fiscal_year={YEAR}&period=q3")
    assert body["commissions_total"] == 17 and len(body["commissions"]) == 17 and body["per_page"] == 50
    assert body["deliverables_total"] == len(body["deliverables"]) == 3
    page = text(roles["anonymous"].get(f"/cong-khai?fiscal_year={YEAR}&period=q3"))
    assert page.count('data-testid="commission-row"') == 3 and "Trang 1 / 6 · 17 dòng" in page


def test_the_lists_a_page_at_a_time(app, spending, roles, budget):
    _more_commissions(roles, budget, 3)
    anonymous = roles["anonymous"]
    every = support.get(anonymous, f"{API}/commissions?fiscal_year={YEAR}&period=q3")
    numbers = [c["number"] for c in every["items"]]
    assert (every["total"], every["page"], every["per_page"], len(numbers)) == (5, 1, 50, 5)
    assert numbers == sorted(numbers)
    first = support.get(anonymous, f"{API}/commissions?fiscal_year={YEAR}&period=q3&per_page=2")
    second = support.get(anonymous, f"{API}/commissions?fiscal_year={YEAR}&period=q3&per_page=2&page=2")
    last = support.get(anonymous, f"{API}/commissions?fiscal_year={YEAR}&period=q3&per_page=2&page=3")
    assert [c["number"] for c in first["items"] + second["items"] + last["items"]] == numbers
    assert (second["total"], second["page"], second["per_page"]) == (5, 2, 2)
    assert second["items"][0] == every["items"][2]  # the same row, whichever page size shows it
    beyond = support.get(anonymous, f"{API}/commissions?fiscal_year={YEAR}&period=q3&per_page=2&page=99")
    assert beyond == {"items": [], "total": 5, "page": 99, "per_page": 2}
    delivered = [support.get(anonymous, f"{API}/deliverables?fiscal_year={YEAR}&period=q3&per_page=2&page={n}")
                 for n in (1, 2, 3)]
    assert [len(p["items"]) for p in delivered] == [2, 1, 0] and {p["total"] for p in delivered} == {3}
    # the disclosure itself: its figures are the whole period's, its lists the first page
    body = public(anonymous, f"fiscal_year={YEAR}&period=q3")
    assert body["commissions"] == every["items"] and body["commissions_total"] == 5
    # a period not disclosed yet is refused on the lists as on the disclosure
    refused = anonymous.get(f"{API}/commissions?fiscal_year={YEAR}&period=year")
    assert refused.status_code == 422 and "period" in refused.get_json()["details"]


@pytest.mark.parametrize("query, field", [
    ("page=0", "page"), ("page=x", "page"), ("page=-1", "page"), ("page=99999999999999999999", "page"),
    ("per_page=0", "per_page"), ("per_page=201", "per_page"), ("per_page=2.5", "per_page")])
@pytest.mark.parametrize("table", ["commissions", "deliverables"])
def test_bad_paging_values_are_a_422_on_the_api(spending, roles, query, field, table):
    response = roles["anonymous"].get(f"{API}/{table}?fiscal_year={YEAR}&period=q3&{query}")
    body = response.get_json()
    assert response.status_code == 422 and body["error"] == "validation_error" and field in body["details"]


def test_the_page_shows_its_lists_a_page_at_a_time(app, spending, roles, budget, monkeypatch):
    from reports.disclosure import views
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    _more_commissions(roles, budget, 2)
    anonymous = roles["anonymous"]
    numbers = [c["number"] for c in support.get(anonymous, f"{API}/commissions?fiscal_year={YEAR}&period=q3")["items"]]
    base = f"/cong-khai?fiscal_year={YEAR}&period=q3"

    def rows(page):
        return [part.split('"', 1)[0] for part in page.split('data-testid="commission-row" data-key="')[1:]]
    first, second = text(anonymous.get(base)), text(anonymous.get(f"{base}&page=2"))
    assert rows(first) == numbers[:2] and rows(second) == numbers[2:4]
    assert "Trang 2 / 2 · 4 dòng" in second and 'aria-label="Phân trang"' in second
    assert "page=2" in first and "deliverables_page=2" in first  # each list its own pager (3 deliverables)
    assert "Dự toán và thực hiện theo đơn vị" in second and 'data-testid="unit-row"' in second  # figures stay whole
    # the deliverables' second page keeps the commissions' page
    both = text(anonymous.get(f"{base}&page=2&deliverables_page=2"))
    assert rows(both) == numbers[2:4] and both.count('data-testid="deliverable-row"') == 1
    # past the last page: an empty page that says so, not an error
    beyond = anonymous.get(f"{base}&page=9")
    assert beyond.status_code == 200
    assert 'data-testid="commissions-past-end"' in text(beyond) and rows(text(beyond)) == []
    # a page number that does not parse: the message, and the first page
    for query, field in (("page=x", "page"), ("page=0", "page"), ("deliverables_page=-3", "deliverables_page"),
                         ("page=99999999999999999999", "page")):
        bad = anonymous.get(f"{base}&{query}")
        assert bad.status_code == 422, query
        assert f'data-field-error="{field}"' in text(bad) and "Số trang không hợp lệ" in text(bad)
        assert rows(text(bad)) == numbers[:2] or field != "page"
    assert "style=" not in first and "<script>" not in first


def test_the_csv_lists_are_complete(app, spending, roles, budget, monkeypatch):
    from reports.disclosure import views
    monkeypatch.setattr(views, "PAGE_SIZE", 1)
    monkeypatch.setattr(views, "CSV_BATCH", 2)  # several batches streamed
    _more_commissions(roles, budget, 3)
    numbers = [c["number"] for c in support.get(roles["anonymous"],
                                                f"{API}/commissions?fiscal_year={YEAR}&period=q3")["items"]]
    for table, count in (("commissions", 5), ("deliverables", 3)):
        response = roles["anonymous"].get(f"/cong-khai.csv?fiscal_year={YEAR}&period=q3&table={table}")
        assert response.status_code == 200 and response.mimetype == "text/csv"
        content = response.data.decode("utf-8")
        assert content.startswith("\ufeff") and content.count("\ufeff") == 1
        rows = list(csv.reader(io.StringIO(content.lstrip("\ufeff"))))
        assert len(rows) == 1 + count
        if table == "commissions":
            assert [row[0] for row in rows[1:]] == numbers


def test_the_cache_makes_room_by_dropping_the_entry_used_longest_ago():
    from reports.disclosure.cache import TTLCache
    now = [0.0]
    cache = TTLCache(60, clock=lambda: now[0], limit=3)
    for key in "abc":
        cache.get_or_compute(key, lambda key=key: key.upper())
    assert cache.get_or_compute("a", lambda: "computed again") == "A"  # a hit: "a" is now the newest
    cache.get_or_compute("d", lambda: "D")
    assert len(cache) == 3
    assert cache.get_or_compute("b", lambda: "b again") == "b again"  # "b" was dropped
    assert cache.get_or_compute("a", lambda: "a again") == "A"
    now[0] = 61
    assert cache.get_or_compute("a", lambda: "fresh") == "fresh"  # past its time


def test_a_burst_of_a_thousand_anonymous_requests_meets_the_limit(app, spending, roles):
    anonymous = roles["anonymous"]
    statuses = [anonymous.get(f"{API}?fiscal_year={YEAR}&period=q2").status_code for _ in range(1000)]
    allowed = 60
    assert statuses[:allowed] == [200] * allowed and set(statuses[allowed:]) == {429}
    refused = anonymous.get(f"{API}?fiscal_year={YEAR}")
    body = refused.get_json()
    assert body["error"] == "too_many_attempts" and "Retry-After" in refused.headers
    assert anonymous.get("/cong-khai").status_code == 429  # the public page shares the window
    # a logged-in reader is not slowed: neither the reports nor the API
    reader = Browser(app, ROLE_PEOPLE["finance"][0])
    assert all(reader.client.get(f"/reports?fiscal_year={YEAR}").status_code == 200 for _ in range(5))
    assert support.get(roles["finance"], f"/api/v1/reports/outputs?fiscal_year={YEAR}")["items"]


def test_the_csv_tables(spending, roles):
    response = roles["anonymous"].get(f"/cong-khai.csv?fiscal_year={YEAR}&period=q2&table=units")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert f"cong-khai-{YEAR}-q2-units.csv" in response.headers["Content-Disposition"]
    content = response.data.decode("utf-8")
    assert content.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(content.lstrip("\ufeff"))))
    assert rows[0][:4] == ["Mã đơn vị", "Đơn vị", "Dự toán được giao (đồng)", "Thực hiện đến cuối kỳ (đồng)"]
    assert {row[0]: int(row[3]) for row in rows[1:]} == {**spending.spent_by_unit, "STP": 13_000_000}
    assert roles["anonymous"].get(f"/cong-khai.csv?fiscal_year={YEAR}&table=users").status_code == 422


def test_the_page_for_anyone(app, spending, roles):
    anonymous = roles["anonymous"]
    page = text(anonymous.get(f"/cong-khai?fiscal_year={YEAR}&period=q2"))
    assert '<html lang="vi">' in page and "6 tháng đầu năm" in page and "Công khai ngày 01/07/" in page
    assert 'for="f-period"' in page and 'for="f-fiscal_year"' in page
    assert "20,000" in page and "2.500,000" in page  # triệu đồng: 20,000,000 đ and 2,500,000,000 đ
    assert f'href="/cong-khai/ocds.json?fiscal_year={YEAR}"' in page
    assert "style=" not in page and "<script>" not in page and " on" + "click" not in page
    bad = anonymous.get(f"/cong-khai?fiscal_year={YEAR}&period=year")
    assert bad.status_code == 422 and 'data-field-error="period"' in text(bad)
    assert "9 tháng đầu năm" in text(bad)  # the latest disclosed period instead
    assert anonymous.get("/cong-khai").status_code == 200
