"""Topics as a managed list (issue 21 item 1): the seeded list, admins adding, renaming and
deactivating topics (audited), commissions pointing at a topic by the text they carry or the code
the form chose, Khác taking any other text, the outputs report adding spending up per topic, and
migration 0009 mapping the topics written before it."""
import importlib.util
import json
import unicodedata
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.core.audit import AuditEntry
from app.extensions import db
from tests import support
from tests.commissions import builders
from tests.support import ROLE_PEOPLE, YEAR, Browser, text

SEEDED = ["Chuyển đổi số", "Cải cách hành chính", "Phổ biến, giáo dục pháp luật", "Phát triển kinh tế - xã hội",
          "Quốc phòng, an ninh", "Xây dựng Đảng, hệ thống chính trị", "Văn hóa, du lịch", "Y tế, giáo dục",
          "Nông nghiệp, môi trường", "Khác"]


def topic_list(client, query=""):
    return support.get(client, "/api/v1/topics" + query)["items"]


def last_entry(app) -> dict:
    with app.app_context():
        entry = db.session.execute(sa.select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(1)).scalar_one()
        found = {"action": entry.action, "entity": entry.entity, "changes": json.loads(entry.changes)}
        db.session.remove()
        return found


def propose(roles, budget, topic="Chuyển đổi số", **extra):
    """The DIC proposes a press commission with this topic text (None: none sent) and `extra` fields."""
    body = {**builders.commission_body(budget.allocation("dic", "press"), budget.supplier_for("press"),
                                       title="Tuyên truyền"), "topic": topic, **extra}
    return support.ok(roles["dic"].post("/api/v1/commissions", json=body), 201)


def test_the_seeded_list_in_order_for_every_role(roles):
    for who in ("dic", "unit", "finance", "auditor", "admin"):
        items = topic_list(roles[who])
        assert [t["name"] for t in items] == SEEDED, who
        assert all(t["active"] for t in items)
    assert [t["code"] for t in items][:2] == ["chuyen_doi_so", "cai_cach_hanh_chinh"] and items[-1]["code"] == "khac"
    assert roles["anonymous"].get("/api/v1/topics").status_code == 401


@pytest.mark.parametrize("typed, code", [
    ("Chuyển đổi số", "chuyen_doi_so"),
    ("  chuyển ĐỔI   số ", "chuyen_doi_so"),                          # case and spaces
    (unicodedata.normalize("NFD", "Cải cách hành chính"), "cai_cach_hanh_chinh"),  # a decomposed keyboard
    ("Bầu cử đại biểu HĐND", "khac"),                                  # not in the list: Khác
    ("Khác", "khac"),
])
def test_a_free_text_topic_points_at_the_topic_it_names(roles, budget, typed, code):
    commission = propose(roles, budget, topic=typed)
    assert commission["topic_code"] == code
    assert commission["topic"] == unicodedata.normalize("NFC", typed).strip()  # kept as typed (NFC)


def test_a_chosen_topic_code_gives_its_name_and_khac_keeps_the_text(roles, budget):
    chosen = propose(roles, budget, topic=None, topic_code="van_hoa_du_lich")
    assert (chosen["topic"], chosen["topic_code"]) == ("Văn hóa, du lịch", "van_hoa_du_lich")
    other = propose(roles, budget, topic="Phòng, chống lừa đảo trực tuyến", topic_code="khac")
    assert (other["topic"], other["topic_code"]) == ("Phòng, chống lừa đảo trực tuyến", "khac")


@pytest.mark.parametrize("body, field", [
    ({"topic": None}, "topic"), ({"topic": "  "}, "topic"), ({"topic": None, "topic_code": "khac"}, "topic"),
    ({"topic": None, "topic_code": "khong_co"}, "topic_code"), ({"topic_code": "x" * 41}, "topic_code"),
    ({"topic_code": 5}, "topic_code"),
])
def test_a_missing_or_unknown_topic_is_a_422_naming_the_field(roles, budget, body, field):
    press = budget.allocation("dic", "press")
    response = roles["dic"].post("/api/v1/commissions", json={
        **builders.commission_body(press, budget.supplier_for("press")), **body})
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["details"]


def test_admins_add_rename_and_deactivate_topics_each_audited(app, roles, budget):
    admin = roles["admin"]
    added = support.ok(admin.post("/api/v1/topics", json={"name": "Bầu cử đại biểu Quốc hội"}), 201)
    assert added == {"code": "bau_cu_dai_bieu_quoc_hoi", "name": "Bầu cử đại biểu Quốc hội", "active": True,
                     "position": 110}
    entry = last_entry(app)
    assert (entry["action"], entry["entity"], entry["changes"]["code"]) == ("topic.create", "topic", added["code"])
    # the new name now maps a typed text
    assert propose(roles, budget, topic="bầu cử đại biểu quốc hội")["topic_code"] == added["code"]

    renamed = support.ok(admin.patch(f"/api/v1/topics/{added['code']}", json={"name": "Bầu cử", "position": 5}), 200)
    assert (renamed["name"], renamed["position"]) == ("Bầu cử", 5)
    assert last_entry(app)["changes"]["name"] == ["Bầu cử đại biểu Quốc hội", "Bầu cử"]
    assert topic_list(roles["dic"])[0]["code"] == added["code"]  # ordered by position

    off = support.ok(admin.patch(f"/api/v1/topics/{added['code']}", json={"active": False}), 200)
    assert off["active"] is False and last_entry(app)["changes"]["active"] == [True, False]
    assert added["code"] not in [t["code"] for t in topic_list(roles["dic"], "?active=true")]
    # a deactivated topic is no longer chosen by code; its name still says which topic a text is
    press = budget.allocation("dic", "press")
    refused = roles["dic"].post("/api/v1/commissions", json={
        **builders.commission_body(press, budget.supplier_for("press")), "topic": None, "topic_code": added["code"]})
    assert refused.status_code == 422 and "topic_code" in refused.get_json()["details"]
    assert propose(roles, budget, topic="Bầu cử")["topic_code"] == added["code"]


@pytest.mark.parametrize("method, path, body, field, status", [
    ("post", "/api/v1/topics", {"name": "chuyển đổi SỐ"}, "name", 422),          # the name is taken
    ("post", "/api/v1/topics", {"name": "Mới", "code": "chuyen_doi_so"}, "code", 422),
    ("post", "/api/v1/topics", {"name": "Mới", "code": "Có Dấu"}, "code", 422),
    ("post", "/api/v1/topics", {"name": " "}, "name", 422),
    ("patch", "/api/v1/topics/khac", {"active": False}, "active", 422),          # Khác always takes the rest
    ("patch", "/api/v1/topics/y_te_giao_duc", {"name": "Khác"}, "name", 422),
    ("patch", "/api/v1/topics/y_te_giao_duc", {}, "_schema", 422),
    ("patch", "/api/v1/topics/khong_co", {"name": "Mới"}, None, 404),
])
def test_bad_topic_edits(roles, method, path, body, field, status):
    response = getattr(roles["admin"], method)(path, json=body)
    assert response.status_code == status, response.get_json()
    if field:
        assert field in response.get_json()["details"]


def test_only_admins_change_the_list(roles):
    for who in ("dic", "unit", "finance", "auditor"):
        assert roles[who].post("/api/v1/topics", json={"name": "Thử"}).status_code == 403
        assert roles[who].patch("/api/v1/topics/khac", json={"name": "Thử"}).status_code == 403


# --- pages ------------------------------------------------------------------------------------

def test_the_admin_pages_list_add_rename_and_deactivate(app, roles):
    admin = Browser(app, ROLE_PEOPLE["admin"][0])
    page = text(admin.get("/topics"))
    assert page.count('data-testid="topic-row"') == len(SEEDED) and "Chuyển đổi số" in page
    added = admin.submit("/topics", "/topics", {"name": "An toàn giao thông", "code": "", "position": ""})
    assert added.status_code == 302
    assert "An toàn giao thông" in text(admin.get("/topics"))
    bad = admin.submit("/topics", "/topics", {"name": "Văn hóa, du lịch"})
    assert bad.status_code == 422 and 'data-field-error="name"' in text(bad)
    edited = admin.submit("/topics/an_toan_giao_thong", "/topics/an_toan_giao_thong",
                          {"name": "An toàn giao thông đường bộ", "position": "15"})
    assert edited.status_code == 302
    off = admin.submit("/topics/an_toan_giao_thong", "/topics/an_toan_giao_thong/deactivate", {})
    assert off.status_code == 302
    topic = {t["code"]: t for t in topic_list(roles["admin"])}["an_toan_giao_thong"]
    assert (topic["name"], topic["position"], topic["active"]) == ("An toàn giao thông đường bộ", 15, False)
    assert "deactivate-topic" not in text(admin.get("/topics/khac"))  # Khác has no such button
    assert admin.submit("/topics/an_toan_giao_thong", "/topics/an_toan_giao_thong/reactivate", {}).status_code == 302
    assert Browser(app, ROLE_PEOPLE["finance"][0]).get("/topics").status_code == 403


def test_the_commission_form_offers_the_active_topics_and_khac(app, roles, budget):
    support.ok(roles["admin"].patch("/api/v1/topics/quoc_phong_an_ninh", json={"active": False}), 200)
    dic = Browser(app, ROLE_PEOPLE["dic"][0])
    page = text(dic.get("/commissions/new"))
    assert 'name="topic_code"' in page and '<option value="khac"' in page and '<option value="chuyen_doi_so"' in page
    assert 'value="quoc_phong_an_ninh"' not in page
    press = budget.allocation("dic", "press")
    form = {"allocation_id": str(press), "supplier_id": str(budget.supplier_for("press")), "title": "Phóng sự",
            "method": "bidding", "advance_limit_pct": "0", "topic_code": "khac", "topic": "An toàn giao thông",
            "deliverables-0-title": "Phóng sự", "deliverables-0-kind": "tv_segment", "deliverables-0-quantity": "1",
            "deliverables-0-unit_price": "5000000", "deliverables-0-due_date": f"{YEAR}-06-30"}
    assert dic.submit("/commissions/new", "/commissions/new", form).status_code == 302
    missing = dic.submit("/commissions/new", "/commissions/new", {**form, "topic": ""})
    assert missing.status_code == 422 and 'data-field-error="topic"' in text(missing)
    chosen = dic.submit("/commissions/new", "/commissions/new", {**form, "topic_code": "y_te_giao_duc", "topic": ""})
    assert chosen.status_code == 302
    listed = support.get(roles["dic"], "/api/v1/commissions?per_page=100")["items"]
    assert {(c["topic"], c["topic_code"]) for c in listed} >= {("An toàn giao thông", "khac"),
                                                               ("Y tế, giáo dục", "y_te_giao_duc")}


# --- the outputs report -------------------------------------------------------------------------

def test_outputs_by_topic_add_up_per_managed_topic_with_khac_listing_its_texts(app, roles, budget):
    finance, dic = roles["finance"], roles["dic"]
    press, supplier = budget.allocation("dic", "press"), budget.supplier_for("press")
    for typed in ("Chuyển đổi số", "chuyển đổi số", "Bầu cử", "An toàn giao thông"):
        builders.signed_commission(finance, dic, press, supplier, topic=typed)
    support.ok(roles["admin"].patch("/api/v1/topics/chuyen_doi_so", json={"name": "Chuyển đổi số, Đề án 06"}), 200)
    body = support.get(finance, f"/api/v1/reports/outputs?fiscal_year={YEAR}&by=topic")
    rows = {row["key"]: row for row in body["items"]}
    assert set(rows) == {"chuyen_doi_so", "khac"}
    assert rows["chuyen_doi_so"]["name"] == "Chuyển đổi số, Đề án 06"  # the current name of the topic
    assert rows["chuyen_doi_so"]["commissions"] == 2 and rows["khac"]["commissions"] == 2
    assert rows["khac"]["texts"] == ["An toàn giao thông", "Bầu cử"]
    assert sum(row["value"] for row in rows.values()) == body["totals"]["value"] == 4 * 20_000_000
    page = text(Browser(app, ROLE_PEOPLE["finance"][0]).get(f"/reports/outputs?fiscal_year={YEAR}&by=topic"))
    assert "Chủ đề đã ghi: An toàn giao thông; Bầu cử" in page


# --- migration 0009 -------------------------------------------------------------------------------

def _migration():
    path = Path(__file__).parents[2] / "migrations" / "versions" / "0009_topics.py"
    spec = importlib.util.spec_from_file_location("migration_0009_topics", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_migration_maps_the_topics_written_before_it(app, roles, budget):
    """The mapping step of 0009 (its `upgrade` runs it after adding the column; the whole migration
    runs from an empty database in tests/core/test_migrations.py) over commissions whose topic
    text was written before the managed list."""
    ids = [propose(roles, budget, topic=typed)["id"] for typed in ("a", "b", "c", "d")]
    before = {ids[0]: unicodedata.normalize("NFD", "PHỔ BIẾN, GIÁO DỤC PHÁP LUẬT"), ids[1]: "Y tế,  giáo dục",
              ids[2]: "Bầu cử", ids[3]: "Khác"}
    with app.app_context():
        for commission_id, typed in before.items():
            db.session.execute(sa.text("UPDATE commissions SET topic = :t, topic_code = NULL WHERE id = :id"),
                               {"t": typed, "id": commission_id})
        _migration().map_existing_topics(db.session.connection())
        after = dict(db.session.execute(sa.text("SELECT id, topic_code FROM commissions WHERE id IN :ids")
                                        .bindparams(sa.bindparam("ids", expanding=True)), {"ids": ids}).all())
        names = db.session.execute(sa.text("SELECT name FROM topics ORDER BY position")).scalars().all()
        db.session.rollback()
        db.session.remove()
    assert after == {ids[0]: "pho_bien_phap_luat", ids[1]: "y_te_giao_duc", ids[2]: "khac", ids[3]: "khac"}
    assert names == SEEDED
