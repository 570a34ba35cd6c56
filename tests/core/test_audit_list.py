"""The audit trail on the one list component (app/core/list_pages.py): newest first by default,
sortable headers with aria-sort, the page count, the record-number and dd/mm/yyyy day filters, the
CSV and workbook of exactly the filter and sort (ending with the row count, no cap), the trail's
access scoping in the downloads too, and a fixed number of statements whatever the data."""
import csv
import io
import re
from datetime import timedelta

import openpyxl
import pytest

from app.core.list_pages import local
from tests.support import Browser, CountedStatements, text


@pytest.fixture
def auditor(app, spending):
    return Browser(app, "kiemtoan")


def _seqs(page: str) -> list[int]:
    return [int(seq) for seq in re.findall(r'data-testid="audit-entry" data-action="[^"]*" data-seq="(\d+)"', page)]


def _actors(page: str) -> list[str]:
    return re.findall(r'data-testid="audit-entry" data-action="[^"]*" data-seq="\d+" data-actor="([^"]*)"', page)


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200 and response.mimetype == "text/csv"
    body = response.get_data(as_text=True)
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


def _xlsx(response) -> list[tuple]:
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    sheet = openpyxl.load_workbook(io.BytesIO(response.get_data())).active
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


def _entries(app, **where):
    from app.core.audit import AuditEntry
    from app.extensions import db
    with app.app_context():
        query = db.session.query(AuditEntry)
        for name, value in where.items():
            query = query.filter(getattr(AuditEntry, name) == value)
        return [(e.seq, e.at, e.actor, e.entity, e.entity_id) for e in query.all()]


def test_newest_first_by_default_with_the_page_count(auditor, app):
    every = _entries(app)
    page = text(auditor.get("/audit"))
    seqs = _seqs(page)
    assert seqs == sorted((seq for seq, *_ in every), reverse=True)[:50]
    assert f"Trang 1 / {-(-len(every) // 50)} · {len(every)} dòng" in page
    assert re.search(r'<th scope="col" class="text-end" aria-sort="descending"><a [^>]*data-sort="seq"', page)
    assert 'data-testid="audit-filters"' in page and 'data-testid="chain-status"' in page
    assert 'data-testid="verify-chain"' in page and 'href="/audit.xlsx"' in page and 'href="/audit.csv"' in page
    oldest = text(auditor.get("/audit?sort=seq"))
    assert _seqs(oldest) == sorted(seq for seq, *_ in every)[:50]
    assert 'aria-sort="ascending"' in oldest


def test_sorted_by_actor_and_the_links_keep_filter_and_sort(auditor, app):
    page = text(auditor.get("/audit?entity=expenditure&sort=actor"))
    actors = _actors(page)
    expected = sorted(actor for _s, _a, actor, entity, _i in _entries(app) if entity == "expenditure")
    assert actors == expected and len(set(actors)) > 1
    assert re.search(r'aria-sort="ascending"><a [^>]*href="\?entity=expenditure&(amp;)?sort=-actor"', page)
    assert re.search(r'href="/audit.csv\?entity=expenditure&(amp;)?sort=actor"', page)
    assert _actors(text(auditor.get("/audit?entity=expenditure&sort=-actor"))) == expected[::-1]
    # a column that cannot be sorted falls back to the default order
    assert _seqs(text(auditor.get("/audit?sort=changes"))) == _seqs(text(auditor.get("/audit")))


def test_the_record_number_filter_matches_the_entity_id_exactly(auditor, app, spending):
    payment = spending.payment["id"]
    expected = sorted((seq for seq, _a, _p, entity, entity_id in _entries(app)
                       if entity == "expenditure" and entity_id == payment), reverse=True)
    page = text(auditor.get(f"/audit?entity=expenditure&record={payment}"))
    assert _seqs(page) == expected and expected
    assert f'value="{payment}"' in page
    every_kind = _seqs(text(auditor.get(f"/audit?record={payment}")))
    assert set(expected) <= set(every_kind)
    assert all(entity_id == payment for seq, _a, _p, _e, entity_id in _entries(app) if seq in every_kind)
    refused = auditor.get("/audit?record=abc")
    assert refused.status_code == 422 and 'data-filter-error="record"' in text(refused)
    assert auditor.get("/audit.csv?record=-1").status_code == 422


def test_the_day_filters_read_dd_mm_yyyy_in_viet_nam_days(auditor, app):
    every = _entries(app)
    days = {local(at).date() for _s, at, *_ in every}
    first, last = min(days), max(days)
    inside = text(auditor.get(f"/audit?date_from={first:%d/%m/%Y}&date_to={last:%d/%m/%Y}"))
    assert f"· {len(every)} dòng" in inside
    assert f'value="{first:%d/%m/%Y}"' in inside and 'data-filter-error' not in inside
    iso = text(auditor.get(f"/audit?date_from={first.isoformat()}"))
    assert f'value="{first:%d/%m/%Y}"' in iso and f"· {len(every)} dòng" in iso
    before = text(auditor.get(f"/audit?date_to={first - timedelta(days=1):%d/%m/%Y}"))
    after = text(auditor.get(f"/audit?date_from={last + timedelta(days=1):%d/%m/%Y}"))
    assert 'data-testid="empty-audit"' in before and 'data-testid="empty-audit"' in after
    backwards = auditor.get(f"/audit?date_from={last:%d/%m/%Y}&date_to={first - timedelta(days=1):%d/%m/%Y}")
    assert backwards.status_code == 422 and 'data-filter-error="date_to"' in text(backwards)


def test_the_downloads_hold_exactly_the_filter_and_sort_and_end_with_the_count(auditor, app):
    query = "?entity=expenditure&sort=actor"
    shown = _seqs(text(auditor.get(f"/audit{query}")))
    rows = _csv(auditor.get(f"/audit.csv{query}"))
    assert rows[0] == ["Số thứ tự", "Thời điểm", "Người thực hiện", "Hành động", "Hồ sơ", "Mã bản ghi",
                       "Thay đổi", "Hash"]
    assert [int(row[0]) for row in rows[1:-1]] == shown and shown
    assert rows[-1][0] == f"Tổng cộng: {len(shown)} dòng"
    assert all(row[4] == "Khoản chi" and row[3] and len(row[7]) == 64 for row in rows[1:-1])
    assert any(" → " in row[6] or ": " in row[6] for row in rows[1:-1])
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows[1:-1] for cell in row)
    sheet = _xlsx(auditor.get(f"/audit.xlsx{query}"))
    assert [row[0] for row in sheet[1:-1]] == shown
    assert sheet[-1][0] == f"Tổng cộng: {len(shown)} dòng"
    assert [row[7] for row in sheet[1:-1]] == [row[7] for row in rows[1:-1]]


def test_the_downloads_are_scoped_as_the_page(app, spending):
    """The trail's own scoping (`visible_entries` and the domains' rules): an admin reads the
    accounts' entries only, in the page and the downloads alike; a unit reads no trail at all."""
    from app.core.audit import entity_kinds
    admin = Browser(app, "quantri")
    with app.test_request_context():
        money = {code for code, kind in entity_kinds().items() if kind.money}
    visible = sorted((seq for seq, _a, _p, entity, _i in _entries(app) if entity not in money), reverse=True)
    assert visible and len(visible) < len(_entries(app))
    assert _seqs(text(admin.get("/audit"))) == visible[:50]
    rows = _csv(admin.get("/audit.csv"))
    assert [int(row[0]) for row in rows[1:-1]] == visible
    assert rows[-1][0] == f"Tổng cộng: {len(visible)} dòng"
    sheet = _xlsx(admin.get("/audit.xlsx"))
    assert [row[0] for row in sheet[1:-1]] == visible and sheet[-1][0] == f"Tổng cộng: {len(visible)} dòng"
    # the money kinds are not offered to an admin: asked for, the filter says so
    refused = admin.get("/audit.xlsx?entity=commission")
    assert refused.status_code == 422
    assert 'data-filter-error="entity"' in text(admin.get("/audit?entity=commission"))
    for name in ("donvi", "huyen", "sotttt"):  # the units read no trail, nor its downloads
        unit = Browser(app, name)
        for path in ("/audit", "/audit.csv", "/audit.xlsx", "/audit.csv?record=abc"):
            assert unit.get(path).status_code == 403, (name, path)


def _statements(app, client, path) -> int:
    with CountedStatements(app) as statements:
        response = client.get(path)
        assert response.status_code == 200, path
        response.get_data()
    return len(statements)


PATHS = ("/audit", "/audit?page=2", "/audit?sort=actor&entity=audit_check", "/audit?q=DH&date_from=01/01/2026",
         "/audit.csv", "/audit.csv?sort=-at&actor=kiemtoan", "/audit.xlsx", "/audit.xlsx?entity=audit_check")


def test_a_fixed_number_of_statements_for_two_sizes_of_the_trail(auditor, app):
    before = {path: _statements(app, auditor.client, path) for path in PATHS}
    for _ in range(55):  # each check of the chain appends an entry: the trail grows past a page
        assert auditor.submit("/audit", "/audit/verify", {}).status_code == 302
    grown = len(_entries(app))
    after = {path: _statements(app, auditor.client, path) for path in PATHS}
    assert after == before
    assert f"Trang 1 / {-(-grown // 50)} · {grown} dòng" in text(auditor.get("/audit"))
    assert len(_seqs(text(auditor.get("/audit?entity=audit_check&page=2")))) == 5
