"""Units and suppliers as the admin runs them (issue 17, item 1): editing and deactivating units
(kinds of the 2026 two-tier organisation, shown in Vietnamese), suppliers' edits and the bank
account payments go to; every change one audit entry with the old and new values."""
import json

import pytest
import sqlalchemy as sa

from app.core.audit import AuditEntry
from app.extensions import db
from app.units.models import UnitKind
from tests.auth.helpers import error_of, location, post_form, web_login
from tests.support import database_fingerprint, text


def last_entry(app):
    with app.app_context():
        entry = db.session.execute(sa.select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(1)).scalar_one()
        db.session.expunge(entry)
        db.session.remove()
        return entry


# --- unit kinds ------------------------------------------------------------------------------------

def test_no_kind_names_the_abolished_district_level(app):
    with app.app_context():
        names = dict(db.session.execute(sa.select(UnitKind.code, UnitKind.name)).all())
        db.session.remove()
    assert names["local_government"] == "UBND cấp xã (xã, phường, đặc khu)"
    assert not any("huyện" in name.lower() or "thị xã" in name.lower() for name in names.values())


def test_the_demo_has_no_district_level_either(app):
    from app.demo import CENTRAL_AGENCIES, DEPARTMENTS, LOCAL_GOVERNMENTS
    for _code, name in DEPARTMENTS + LOCAL_GOVERNMENTS + CENTRAL_AGENCIES:
        assert "huyện" not in name.lower() and "thị xã" not in name.lower() and "Thông tin và Truyền thông" not in name
    assert all(name.startswith(("UBND phường", "UBND xã")) for _code, name in LOCAL_GOVERNMENTS)


def test_the_units_page_shows_kinds_by_their_vietnamese_names_and_english_on_request(roles, app):
    browser, _ = web_login(app, "quantri")
    page = text(browser.get("/units"))
    assert "UBND cấp xã (xã, phường, đặc khu)" in page and "Sở, ban, ngành" in page
    assert ">local_government<" not in page and ">department<" not in page


# --- units ---------------------------------------------------------------------------------------

def test_admin_edits_a_unit_by_its_code(roles, app):
    response = roles["admin"].patch("/api/v1/units/stp", json={
        "name": "Sở Tư pháp tỉnh Gia Lai", "contact_name": "Văn phòng Sở", "contact_email": "vp.stp@gialai.gov.vn"})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["code"], body["name"], body["contact_email"]) == ("STP", "Sở Tư pháp tỉnh Gia Lai",
                                                                    "vp.stp@gialai.gov.vn")
    entry = last_entry(app)
    assert entry.action == "unit.update" and entry.actor == "quantri"
    assert json.loads(entry.changes)["name"] == ["Sở Tư pháp", "Sở Tư pháp tỉnh Gia Lai"]
    assert roles["unit"].get("/api/v1/units/STP").get_json()["name"] == "Sở Tư pháp tỉnh Gia Lai"
    error_of(roles["unit"].get("/api/v1/units/KHONGCO"), 404, "not_found")


@pytest.mark.parametrize("body,field", [
    ({}, "_schema"), ({"kind": "district"}, "kind"), ({"name": "X"}, "name"), ({"code": "STP2"}, "code"),
    ({"active": "no"}, "active"), ({"contact_email": "khong-phai-email"}, "contact_email"),
])
def test_bad_unit_edits_are_422(roles, app, body, field):
    before = database_fingerprint(app)
    response = error_of(roles["admin"].patch("/api/v1/units/STP", json=body), 422, "validation_error")
    assert field in response["details"]
    assert database_fingerprint(app) == before


def test_a_unit_with_active_users_or_the_dic_is_not_deactivated(roles, app):
    before = database_fingerprint(app)
    body = error_of(roles["admin"].patch("/api/v1/units/STP", json={"active": False}), 409, "rule_violation")
    assert "donvi" in body["message"]
    body = error_of(roles["admin"].patch("/api/v1/units/SVHTTDL", json={"active": False}), 409, "rule_violation")
    assert "DIC_UNIT_CODE" in body["message"]
    error_of(roles["unit"].patch("/api/v1/units/STC", json={"active": False}), 403, "forbidden")
    assert database_fingerprint(app) == before
    deactivated = roles["admin"].patch("/api/v1/units/STC", json={"active": False})
    assert deactivated.status_code == 200 and deactivated.get_json()["active"] is False
    assert last_entry(app).action == "unit.deactivate"
    assert [u["code"] for u in roles["admin"].get("/api/v1/units?active=false").get_json()["items"]] == ["STC"]
    # an inactive unit takes no new users
    created = roles["admin"].post("/api/v1/users", json={"username": "moi.stc", "password": "mat-khau-tam-2026",
                                                          "full_name": "Cán Bộ", "role": "unit_officer",
                                                          "unit_code": "STC"})
    assert "STC" in error_of(created, 422, "validation_error")["details"]["unit_code"][0]


def test_unit_pages_edit_and_deactivate(roles, app):
    browser, _ = web_login(app, "quantri")
    saved = post_form(browser, "/units/STP", "/units/STP", {
        "name": "Sở Tư pháp (đã sửa)", "kind": "department", "contact_name": "", "contact_phone": "",
        "contact_email": ""})
    assert saved.status_code == 302 and location(saved) == "/units"
    refused = post_form(browser, "/units/STP", "/units/STP/deactivate", {})
    assert refused.status_code == 409 and "donvi" in text(refused)
    done = post_form(browser, "/units/STC", "/units/STC/deactivate", {})
    assert done.status_code == 302
    twice = post_form(browser, "/units/STC", "/units/STC/deactivate", {})
    assert twice.status_code == 409
    assert post_form(browser, "/units/STC", "/units/STC/reactivate", {}).status_code == 302


# --- what the Treasury's forms print about a unit (issue 18) -------------------------------------

PAPERWORK = {"chapter_code": "418", "address": "28 Trần Hưng Đạo, phường Pleiku, tỉnh Gia Lai",
             "treasury_account": "9523.1.1012345", "treasury_name": "Kho bạc Nhà nước khu vực XIV",
             "head_name": "Nguyễn Thị Ửng", "accountant_name": "Trần Văn Đức", "pays_from_deposit": True}


def test_admin_records_what_the_treasury_forms_print_about_a_unit(roles, app):
    response = roles["admin"].patch("/api/v1/units/STP", json=PAPERWORK)
    assert response.status_code == 200, response.get_json()
    body = roles["unit"].get("/api/v1/units/STP").get_json()
    assert {key: body[key] for key in PAPERWORK} == PAPERWORK
    changes = json.loads(last_entry(app).changes)
    assert changes["treasury_account"] == [None, "9523.1.1012345"] and changes["pays_from_deposit"] == [False, True]
    cleared = roles["admin"].patch("/api/v1/units/STP", json={"address": None, "treasury_account": ""}).get_json()
    assert cleared["address"] is None and cleared["treasury_account"] is None and cleared["chapter_code"] == "418"


@pytest.mark.parametrize("body,field", [
    ({"chapter_code": "41"}, "chapter_code"), ({"chapter_code": "4a8"}, "chapter_code"),
    ({"treasury_account": "tài khoản"}, "treasury_account"), ({"pays_from_deposit": "yes"}, "pays_from_deposit"),
    ({"head_name": "x" * 201}, "head_name"), ({"address": "dòng 1\ndòng 2"}, "address"),
])
def test_bad_unit_paperwork_is_422_and_changes_nothing(roles, app, body, field):
    before = database_fingerprint(app)
    response = error_of(roles["admin"].patch("/api/v1/units/STP", json=body), 422, "validation_error")
    assert field in response["details"]
    assert database_fingerprint(app) == before


def test_the_unit_page_edits_the_paperwork_and_the_deposit_box(roles, app):
    browser, _ = web_login(app, "quantri")
    form = {"name": "Sở Tư pháp", "kind": "department", **PAPERWORK, "pays_from_deposit": "1"}
    assert post_form(browser, "/units/STP", "/units/STP", form).status_code == 302
    page = text(browser.get("/units/STP"))
    assert "9523.1.1012345" in page and "Nguyễn Thị Ửng" in page
    unticked = {key: value for key, value in form.items() if key != "pays_from_deposit"}
    assert post_form(browser, "/units/STP", "/units/STP", {**unticked, "address": ""}).status_code == 302
    body = roles["admin"].get("/api/v1/units/STP").get_json()
    assert body["pays_from_deposit"] is False and body["address"] is None and body["head_name"] == "Nguyễn Thị Ửng"
    refused = post_form(browser, "/units/STP", "/units/STP", {**unticked, "chapter_code": "12"})
    assert refused.status_code == 422 and "Mã chương" in text(refused)


# --- suppliers -----------------------------------------------------------------------------------

@pytest.fixture
def supplier(roles):
    response = roles["admin"].post("/api/v1/suppliers", json={
        "name": "Báo và Phát thanh, Truyền hình Gia Lai", "kind": "press", "tax_code": "5900181213",
        "bank_account": "1020 0000 1234", "bank_name": "Ngân hàng TMCP Công Thương, chi nhánh Gia Lai"})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_a_supplier_carries_the_bank_account_payments_go_to(supplier):
    assert (supplier["bank_account"], supplier["bank_name"]) == (
        "102000001234", "Ngân hàng TMCP Công Thương, chi nhánh Gia Lai")


def test_a_changed_bank_account_is_audited_old_and_new(roles, app, supplier):
    response = roles["admin"].patch(f"/api/v1/suppliers/{supplier['id']}", json={"bank_account": "1020000099999"})
    assert response.status_code == 200 and response.get_json()["bank_account"] == "1020000099999"
    entry = last_entry(app)
    assert (entry.action, entry.entity, entry.entity_id, entry.actor) == (
        "supplier.update", "supplier", supplier["id"], "quantri")
    assert json.loads(entry.changes) == {"bank_account": ["102000001234", "1020000099999"]}
    assert roles["finance"].patch(f"/api/v1/suppliers/{supplier['id']}", json={"name": "Báo Gia Lai"}).status_code \
        == 200
    error_of(roles["unit"].patch(f"/api/v1/suppliers/{supplier['id']}", json={"name": "X"}), 403, "forbidden")
    error_of(roles["admin"].patch("/api/v1/suppliers/999999", json={"name": "X"}), 404, "not_found")


@pytest.mark.parametrize("body,field", [
    ({}, "_schema"),
    ({"bank_account": "12ab34567"}, "bank_account"),
    ({"bank_account": "12345"}, "bank_account"),
    ({"bank_account": "１２３４５６７８"}, "bank_account"),      # full-width digits are not digits here
    ({"bank_account": None}, "bank_account"),                 # the bank without its account
    ({"tax_code": "123"}, "tax_code"),
    ({"kind": "bank"}, "kind"),
    ({"name": "  "}, "name"),
])
def test_bad_supplier_edits_are_422(roles, app, supplier, body, field):
    before = database_fingerprint(app)
    response = error_of(roles["admin"].patch(f"/api/v1/suppliers/{supplier['id']}", json=body), 422,
                        "validation_error")
    assert field in response["details"], response
    assert database_fingerprint(app) == before


def test_a_tax_code_stays_unique_on_edit(roles, app, supplier):
    other = roles["admin"].post("/api/v1/suppliers", json={"name": "Công ty Phố Núi", "kind": "it_service",
                                                            "tax_code": "5901112237"}).get_json()
    before = database_fingerprint(app)
    error_of(roles["admin"].patch(f"/api/v1/suppliers/{other['id']}", json={"tax_code": "5900181213"}), 422,
             "validation_error")
    assert database_fingerprint(app) == before


def test_supplier_pages_add_and_edit(roles, app, supplier):
    browser, _ = web_login(app, "quantri")
    listing = browser.get("/suppliers?q=5900181213")
    assert listing.status_code == 200 and "102000001234" in text(listing)
    added = post_form(browser, "/suppliers", "/suppliers", {"name": "Trường Chính trị tỉnh Gia Lai", "kind": "training",
                                                            "tax_code": "5902258479"})
    assert added.status_code == 302
    half = post_form(browser, f"/suppliers/{supplier['id']}", f"/suppliers/{supplier['id']}", {
        "name": supplier["name"], "kind": "press", "tax_code": "5900181213", "bank_account": "",
        "bank_name": "Vietinbank"})
    assert half.status_code == 422 and "đi cùng nhau" in text(half)
    cleared = post_form(browser, f"/suppliers/{supplier['id']}", f"/suppliers/{supplier['id']}", {
        "name": supplier["name"], "kind": "press", "tax_code": "5900181213", "bank_account": "", "bank_name": ""})
    assert cleared.status_code == 302
    assert roles["admin"].get(f"/api/v1/suppliers/{supplier['id']}").get_json()["bank_account"] is None
    unit_browser, _ = web_login(app, "donvi")
    assert unit_browser.get("/suppliers").status_code == 403
