"""Users and units through the API, the command line and the admin page."""
import re

import pytest
import sqlalchemy as sa

from app.auth.models import User
from app.core.registry import registry_of
from app.extensions import db
from app.units.models import Unit
from tests.support import PASSWORD, ApiClient

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def assert_validation(response, *fields):
    assert response.status_code == 422, (response.status_code, response.get_data(as_text=True))
    body = response.get_json()
    assert set(body) == {"error", "message", "details"}
    assert body["error"] == "validation_error"
    for field in fields:
        assert field in body["details"], body["details"]
        messages = body["details"][field]
        assert isinstance(messages, list) and messages and all(isinstance(m, str) for m in messages)
    return body


def user_count(app):
    with app.app_context():
        return db.session.execute(sa.select(sa.func.count(User.id))).scalar_one()


def new_user(**overrides):
    body = {"username": "canbo.moi", "password": "mot-mat-khau-dai", "full_name": "Cán Bộ Mới",
            "role": "unit_officer", "unit_code": "STP"}
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not ...}


# --- POST /api/v1/users -------------------------------------------------------------------

def test_admin_creates_a_unit_officer_who_can_log_in(roles, client):
    response = roles["admin"].post("/api/v1/users", json=new_user())
    assert response.status_code == 201
    body = response.get_json()
    assert body["username"] == "canbo.moi" and body["role"] == "unit_officer"
    assert body["unit"] == {"code": "STP", "name": "Sở Tư pháp"} and body["active"] is True
    assert isinstance(body["id"], int)
    assert "password" not in body and "password_hash" not in body
    token = client.post("/api/v1/auth/token",
                        json={"username": "canbo.moi", "password": "mot-mat-khau-dai"}).get_json()["token"]
    me = ApiClient(client, token).get("/api/v1/me").get_json()
    assert me["id"] == body["id"] and me["unit"]["code"] == "STP"


def test_created_password_is_hashed_with_the_configured_method(roles, app):
    roles["admin"].post("/api/v1/users", json=new_user())
    with app.app_context():
        stored = db.session.execute(sa.select(User.password_hash).filter_by(username="canbo.moi")).scalar_one()
    assert stored.startswith(app.config["PASSWORD_HASH_METHOD"] + "$")
    assert "mot-mat-khau-dai" not in stored


@pytest.mark.parametrize("role", ["unit_officer", "dic_officer"])
def test_unit_roles_need_a_unit(roles, app, role):
    before = user_count(app)
    assert_validation(roles["admin"].post("/api/v1/users", json=new_user(role=role, unit_code=...)), "unit_code")
    assert_validation(roles["admin"].post("/api/v1/users", json=new_user(role=role, unit_code=None)), "unit_code")
    assert user_count(app) == before


def test_unknown_unit_is_refused(roles):
    assert_validation(roles["admin"].post("/api/v1/users", json=new_user(unit_code="KHONGCO")), "unit_code")


@pytest.mark.parametrize("role", ["finance_officer", "auditor", "admin"])
def test_roles_without_unit(roles, role):
    response = roles["admin"].post("/api/v1/users", json=new_user(role=role, unit_code=...))
    assert response.status_code == 201
    assert response.get_json()["unit"] is None


# --- roles fit units ----------------------------------------------------------------------

@pytest.fixture
def dic_setup(app, world):
    """An admin, the DIC's unit (named by DIC_UNIT_CODE) and another unit; independent of the fixtures'."""
    saved = app.config["DIC_UNIT_CODE"]
    app.config["DIC_UNIT_CODE"] = "SOTT"
    world.unit("SOTT", "Sở Thông tin và Truyền thông")
    world.unit("SYT", "Sở Y tế")
    world.user("quantri", "admin")
    yield ApiClient(app.test_client(), world.token("quantri"))
    app.config["DIC_UNIT_CODE"] = saved


def test_dic_officer_belongs_to_the_dic_unit(app, dic_setup):
    admin = dic_setup
    before = user_count(app)
    body = assert_validation(admin.post("/api/v1/users", json=new_user(role="dic_officer", unit_code="SYT")),
                             "unit_code")
    assert "SOTT" in body["details"]["unit_code"][0]
    assert user_count(app) == before
    created = admin.post("/api/v1/users", json=new_user(role="dic_officer", unit_code="SOTT"))
    assert created.status_code == 201 and created.get_json()["unit"]["code"] == "SOTT"
    # any other unit still takes unit officers
    assert admin.post("/api/v1/users", json=new_user(username="yte", unit_code="SYT")).status_code == 201


def test_cli_refuses_a_dic_officer_outside_the_dic_unit(app, dic_setup):
    result = app.test_cli_runner().invoke(
        args=["users", "create", "canbo", "--role", "dic_officer", "--unit", "SYT", "--password-stdin"],
        input="mat-khau-du-dai\n")
    assert result.exit_code != 0 and "SOTT" in result.output
    assert "Traceback" not in result.output


def _audit(reader, **query):
    response = reader.get("/api/v1/audit", query_string={"per_page": 200, **query})
    assert response.status_code == 200, response.get_json()
    return response.get_json()["items"]


@pytest.mark.parametrize("role", ["finance_officer", "admin"])
def test_granting_a_privileged_role_is_an_audit_entry_auditors_see(app, world, dic_setup, role):
    admin = dic_setup
    world.user("kiemtoan", "auditor")
    auditor = ApiClient(app.test_client(), world.token("kiemtoan"))
    created = admin.post("/api/v1/users", json=new_user(username="moi", role=role, unit_code=None))
    assert created.status_code == 201
    user_id = created.get_json()["id"]
    entries = _audit(auditor, entity="user", entity_id=user_id)
    assert [e["action"] for e in entries] == ["user.grant_role", "user.create"]  # newest first
    grant = entries[0]
    assert grant["actor"] == "quantri" and grant["changes"] == {"username": "moi", "role": role}
    grants = {e["changes"]["username"]: e["actor"] for e in _audit(auditor, action="user.grant_role")}
    assert grants == {"moi": "quantri", "quantri": None}  # the admin itself was made by the operator
    assert registry_of(app).audit_labels["user.grant_role"]  # labelled on the audit pages


@pytest.mark.parametrize("role,unit_code", [("auditor", None), ("unit_officer", "SYT"), ("dic_officer", "SOTT")])
def test_other_roles_are_created_without_a_grant_entry(app, world, dic_setup, role, unit_code):
    admin = dic_setup
    world.user("kiemtoan", "auditor")
    auditor = ApiClient(app.test_client(), world.token("kiemtoan"))
    user_id = admin.post("/api/v1/users",
                         json=new_user(username="moi", role=role, unit_code=unit_code)).get_json()["id"]
    entries = _audit(auditor, entity="user", entity_id=user_id)
    assert [e["action"] for e in entries] == ["user.create"]
    assert entries[0]["changes"]["role"] == role and entries[0]["actor"] == "quantri"


@pytest.mark.parametrize("password", ["", "short", "x" * 9, "mot-mat-kha", "k3-x9#mq-2p", "y" * 129])
def test_password_length_is_12_to_128(roles, app, password):
    before = user_count(app)
    assert_validation(roles["admin"].post("/api/v1/users", json=new_user(password=password)), "password")
    assert user_count(app) == before


@pytest.mark.parametrize("password", ["k3-x9#mq-2pz", "y" * 128])
def test_password_length_limits_are_inclusive(roles, password):
    assert roles["admin"].post("/api/v1/users", json=new_user(password=password)).status_code == 201


@pytest.mark.parametrize("password", ["password1234", "PASSWORD1234", "Password1234", "123456789012",
                                      "qwertyuiopas", "1q2w3e4r5t6y", "matkhau123456", " password1234 "])
def test_common_passwords_are_refused_whatever_the_case(roles, app, password):
    before = user_count(app)
    body = assert_validation(roles["admin"].post("/api/v1/users", json=new_user(password=password)), "password")
    assert "phổ biến" in body["details"]["password"][0]
    assert user_count(app) == before


def test_common_passwords_are_refused_on_every_path(app, world):
    """The list is read from the file shipped with the code; the CLI and password changes use it too."""
    from app.auth import services
    from app.core.exceptions import ValidationFailed
    assert {"password1234", "123456789012", "qwertyuiopas"} <= services.common_passwords()
    assert len(services.common_passwords()) >= 300
    result = app.test_cli_runner().invoke(
        args=["users", "create", "canbo", "--role", "auditor", "--password-stdin"], input="Password1234\n")
    assert result.exit_code != 0 and "phổ biến" in result.output
    world.user("kiemtoan", "auditor")
    with app.app_context():
        with pytest.raises(ValidationFailed) as caught:
            services.change_password(None, services.get_user_by_username("kiemtoan"), "QWERTYUIOPAS")
        assert "password" in caught.value.details


def test_a_password_of_spaces_is_refused(roles):
    assert_validation(roles["admin"].post("/api/v1/users", json=new_user(password=" " * 16)), "password")


@pytest.mark.parametrize("password", ["  leading-spaces-kept", "trailing-spaces-kept  ", " both-ends-kept "])
def test_passwords_are_used_exactly_as_given(roles, client, password):
    """Spaces at either end are part of the password: never trimmed, on creation or at login."""
    assert roles["admin"].post("/api/v1/users", json=new_user(password=password)).status_code == 201
    login = {"username": "canbo.moi"}
    assert client.post("/api/v1/auth/token", json=login | {"password": password.strip()}).status_code == 401
    assert client.post("/api/v1/auth/token", json=login | {"password": password}).status_code == 201


@pytest.mark.parametrize("username", ["donvi", "DonVi", "DONVI"])
def test_duplicate_username_is_refused_whatever_the_case(roles, app, username):
    before = user_count(app)
    assert_validation(roles["admin"].post("/api/v1/users", json=new_user(username=username)), "username")
    assert user_count(app) == before


@pytest.mark.parametrize("role", ["superuser", "", "Admin", 3, None])
def test_unknown_role_is_refused(roles, role):
    assert_validation(roles["admin"].post("/api/v1/users", json=new_user(role=role)), "role")


@pytest.mark.parametrize("username", ["ab", "có dấu", "a b", "x" * 65, "semi;colon", 12345])
def test_bad_usernames(roles, username):
    assert_validation(roles["admin"].post("/api/v1/users", json=new_user(username=username)), "username")


def test_blank_full_name_is_refused(roles):
    assert_validation(roles["admin"].post("/api/v1/users", json=new_user(full_name="   ")), "full_name")
    assert_validation(roles["admin"].post("/api/v1/users", json=new_user(full_name="")), "full_name")


def test_user_missing_and_unknown_fields(roles):
    body = assert_validation(roles["admin"].post("/api/v1/users", json={}),
                             "username", "password", "full_name", "role")
    assert "unit_code" not in body["details"]  # optional
    assert_validation(roles["admin"].post("/api/v1/users", json=new_user(is_admin=True)), "is_admin")


# --- units ----------------------------------------------------------------------------------

def test_admin_creates_a_unit(roles):
    response = roles["admin"].post("/api/v1/units", json={
        "code": "syt", "name": "  Sở Y tế ", "kind": "department",
        "contact_name": "Phòng Truyền thông", "contact_phone": "0256 3822 123",
        "contact_email": "truyenthong@syt.binhdinh.gov.vn"})
    assert response.status_code == 201
    body = response.get_json()
    assert body["code"] == "SYT" and body["name"] == "Sở Y tế" and body["kind"] == "department"
    assert body["contact_email"] == "truyenthong@syt.binhdinh.gov.vn" and body["active"] is True
    listed = roles["unit"].get("/api/v1/units?q=SYT").get_json()
    assert [u["code"] for u in listed["items"]] == ["SYT"] and listed["total"] == 1


def test_units_list_filters_and_pages(roles):
    response = roles["finance"].get("/api/v1/units?kind=local_government")
    assert [u["code"] for u in response.get_json()["items"]] == ["ANNHON"]
    page = roles["finance"].get("/api/v1/units?per_page=3&page=2").get_json()
    assert page["total"] == 4 and page["page"] == 2 and page["per_page"] == 3
    assert [u["code"] for u in page["items"]] == ["SVHTTDL"]  # sorted by code: ANNHON, STC, STP | SVHTTDL
    assert roles["finance"].get("/api/v1/units?q=tư pháp").get_json()["total"] == 1


@pytest.mark.parametrize("kind", ["department", "central_agency", "local_government", "other"])
def test_default_unit_kinds(roles, kind):
    assert roles["admin"].post("/api/v1/units", json={"code": "X" + kind[:5].upper(), "name": "Đơn vị thử",
                                                      "kind": kind}).status_code == 201


def test_unit_kinds_are_data(roles, app):
    assert_validation(roles["admin"].post("/api/v1/units", json={"code": "PX", "name": "Phường X",
                                                                 "kind": "ward"}), "kind")
    from app.units.models import UnitKind
    with app.app_context():
        db.session.add(UnitKind(code="ward", name="UBND phường"))
        db.session.commit()
    try:
        assert roles["admin"].post("/api/v1/units", json={"code": "PX", "name": "Phường X",
                                                          "kind": "ward"}).status_code == 201
    finally:  # unit_kinds survives the per-test reset: leave it as the migration made it
        with app.app_context():
            db.session.execute(sa.delete(Unit).where(Unit.kind == "ward"))
            db.session.execute(sa.delete(UnitKind).where(UnitKind.code == "ward"))
            db.session.commit()


@pytest.mark.parametrize("body,field", [
    ({"code": "STP", "name": "Trùng mã", "kind": "department"}, "code"),
    ({"code": "stp", "name": "Trùng mã chữ thường", "kind": "department"}, "code"),
    ({"code": "A", "name": "Mã ngắn", "kind": "department"}, "code"),
    ({"code": "MÃ-DẤU", "name": "Có dấu", "kind": "department"}, "code"),
    ({"code": 5, "name": "Số", "kind": "department"}, "code"),
    ({"code": "NEW", "name": "", "kind": "department"}, "name"),
    ({"code": "NEW", "name": "   ", "kind": "department"}, "name"),
    ({"code": "NEW", "name": ["Sở"], "kind": "department"}, "name"),
    ({"code": "NEW", "name": "Sở Mới", "kind": "nope"}, "kind"),
    ({"code": "NEW", "name": "Sở Mới", "kind": "department", "contact_email": "not-an-email"}, "contact_email"),
    ({"code": "NEW", "name": "Sở Mới", "kind": "department", "contact_phone": "call me"}, "contact_phone"),
    ({"code": "NEW", "name": "Sở Mới", "kind": "department", "budget": 1}, "budget"),
    ({"name": "Sở Mới", "kind": "department"}, "code"),
])
def test_unit_validation(roles, app, body, field):
    with app.app_context():
        before = db.session.execute(sa.select(sa.func.count(Unit.id))).scalar_one()
    assert_validation(roles["admin"].post("/api/v1/units", json=body), field)
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count(Unit.id))).scalar_one() == before


def test_admin_adds_a_unit_on_the_web_page(app, world):
    world.user("quantri", "admin")
    browser = app.test_client()
    csrf = CSRF_RE.search(browser.get("/login").get_data(as_text=True)).group(1)
    browser.post("/login", data={"csrf_token": csrf, "username": "quantri", "password": PASSWORD})
    page = browser.get("/units")
    assert page.status_code == 200
    csrf = CSRF_RE.search(page.get_data(as_text=True)).group(1)
    response = browser.post("/units", data={"csrf_token": csrf, "code": "SNV", "name": "Sở Nội vụ",
                                            "kind": "department"})
    assert response.status_code == 302
    assert "SNV" in browser.get("/units").get_data(as_text=True)
    again = browser.post("/units", data={"csrf_token": csrf, "code": "SNV", "name": "Sở Nội vụ",
                                         "kind": "department"})
    assert again.status_code == 422
    assert "đã tồn tại" in again.get_data(as_text=True)


# --- command line ---------------------------------------------------------------------------

def test_cli_creates_a_user_from_stdin(app, world, client):
    world.unit("STP", "Sở Tư pháp")
    result = app.test_cli_runner().invoke(
        args=["users", "create", "Nguyen.Van.A", "--role", "unit_officer", "--unit", "STP",
              "--full-name", "Nguyễn Văn A", "--password-stdin"],
        input="mat-khau-tu-stdin\n")
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.execute(sa.select(User).filter_by(username="nguyen.van.a")).scalar_one()
        assert user.full_name == "Nguyễn Văn A" and user.role == "unit_officer" and user.unit.code == "STP"
    response = client.post("/api/v1/auth/token",
                           json={"username": "nguyen.van.a", "password": "mat-khau-tu-stdin"})
    assert response.status_code == 201


@pytest.mark.parametrize("args,stdin", [
    (["users", "create", "canbo", "--role", "unit_officer", "--password-stdin"], "mat-khau-du-dai\n"),
    (["users", "create", "canbo", "--role", "auditor", "--password-stdin"], "ngan\n"),
    (["users", "create", "canbo", "--role", "auditor", "--password-stdin"], "\n"),
    (["users", "create", "canbo", "--role", "wizard", "--password-stdin"], "mat-khau-du-dai\n"),
    (["users", "create", "canbo", "--role", "unit_officer", "--unit", "NOPE", "--password-stdin"],
     "mat-khau-du-dai\n"),
    (["users", "create", "có dấu", "--role", "auditor", "--password-stdin"], "mat-khau-du-dai\n"),
    (["users", "create", "x" * 65, "--role", "auditor", "--password-stdin"], "mat-khau-du-dai\n"),
    (["users", "create", "donvi", "--role", "auditor", "--password-stdin"], "mat-khau-du-dai\n"),
    (["users", "create", "canbo", "--role", "auditor"], "mat-khau-du-dai\n"),
])
def test_cli_create_refuses_bad_input(app, world, args, stdin):
    world.unit("STP")
    world.user("donvi", "unit_officer", "STP")
    result = app.test_cli_runner().invoke(args=args, input=stdin)
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    assert user_count(app) == 1


def test_cli_token_prints_a_working_token(app, world, client):
    world.user("kiemtoan", "auditor")
    result = app.test_cli_runner().invoke(args=["users", "token", "KiemToan"])
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    assert len(token) >= 22
    me = ApiClient(client, token).get("/api/v1/me")
    assert me.status_code == 200 and me.get_json()["username"] == "kiemtoan"


def test_cli_token_refuses_unknown_and_deactivated_users(app, world):
    from app.auth import services
    runner = app.test_cli_runner()
    assert runner.invoke(args=["users", "token", "nobody"]).exit_code != 0
    world.user("kiemtoan", "auditor")
    with app.app_context():
        services.set_active(None, services.get_user_by_username("kiemtoan"), False)
        db.session.commit()
    result = runner.invoke(args=["users", "token", "kiemtoan"])
    assert result.exit_code != 0
    from app.auth.models import ApiToken
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count(ApiToken.id))).scalar_one() == 0
