"""The admin runs the accounts (issue 17, item 1; segregation of duties, item 6): the users' list and
its filters, edits, deactivation that ends sessions and tokens at once, temporary passwords, lifting
a lock-out, ending sessions, and a finance officer's confirmation of the roles an admin grants.
Every refusal is a clear 4xx that leaves the database exactly as it was."""
import pytest
import sqlalchemy as sa

from app.auth.models import User
from app.core.audit import AuditEntry
from app.extensions import db
from tests.auth.helpers import OWN, TEMPORARY, api_as, error_of, location, post_form, token_response, web_login
from tests.support import PASSWORD, ApiClient, database_fingerprint, text


def user_id(app, username):
    with app.app_context():
        found = db.session.execute(sa.select(User.id).filter_by(username=username)).scalar_one()
        db.session.remove()
        return found


def actions(app, entity_id, entity="user"):
    with app.app_context():
        rows = db.session.execute(sa.select(AuditEntry.action).where(
            AuditEntry.entity == entity, AuditEntry.entity_id == entity_id).order_by(AuditEntry.seq)).scalars().all()
        db.session.remove()
        return rows


@pytest.fixture
def donvi(app):
    return user_id(app, "donvi")


# --- the list --------------------------------------------------------------------------------

def test_admin_lists_users_with_filters_and_pages(roles, app):
    admin = roles["admin"]
    every = admin.get("/api/v1/users?per_page=200").get_json()
    assert every["total"] == 6 and {u["username"] for u in every["items"]} >= {"donvi", "taichinh", "quantri"}
    first = every["items"][0]
    assert set(first) >= {"id", "username", "full_name", "role", "active", "unit", "role_confirmed",
                          "password_change_required", "totp_enabled", "locked", "created_at", "last_login_at"}
    assert "password_hash" not in first and "totp_secret" not in first
    assert [u["username"] for u in admin.get("/api/v1/users?role=unit_officer").get_json()["items"]] == \
        ["donvi", "huyen"]
    assert [u["username"] for u in admin.get("/api/v1/users?unit=stp").get_json()["items"]] == ["donvi"]
    assert [u["username"] for u in admin.get("/api/v1/users?q=TAI").get_json()["items"]] == ["taichinh"]
    paged = admin.get("/api/v1/users?per_page=2&page=2").get_json()
    assert (paged["total"], paged["page"], paged["per_page"], len(paged["items"])) == (6, 2, 2, 2)
    assert admin.patch(f"/api/v1/users/{user_id(app, 'huyen')}", json={"active": False}).status_code == 200
    assert [u["username"] for u in admin.get("/api/v1/users?state=inactive").get_json()["items"]] == ["huyen"]
    assert "huyen" not in {u["username"] for u in admin.get("/api/v1/users?state=active&per_page=200")
                           .get_json()["items"]}


def test_locked_state_follows_the_failures_and_the_unlock(roles, app, client):
    for _ in range(5):
        token_response(client, "donvi", "sai-mat-khau-roi")
    admin = roles["admin"]
    locked = admin.get("/api/v1/users?state=locked").get_json()["items"]
    assert [(u["username"], u["locked"]) for u in locked] == [("donvi", True)]
    error_of(token_response(client, "donvi"), 429, "too_many_attempts")  # even with the right password
    unlocked = admin.post(f"/api/v1/users/{locked[0]['id']}/unlock")
    assert unlocked.status_code == 200 and unlocked.get_json()["locked"] is False
    assert token_response(client, "donvi").status_code == 201
    assert admin.get("/api/v1/users?state=locked").get_json()["items"] == []
    assert actions(app, locked[0]["id"])[-2:] == ["user.unlock", "auth.token_issue"]


@pytest.mark.parametrize("query", ["role=boss", "state=asleep", "per_page=201", "page=0", "unit=" + "X" * 21])
def test_bad_list_filters_are_422(roles, query):
    error_of(roles["admin"].get(f"/api/v1/users?{query}"), 422, "validation_error")


@pytest.mark.parametrize("who", ["unit", "dic", "finance", "auditor"])
def test_only_admins_read_or_change_users(roles, app, who, donvi):
    before = database_fingerprint(app)
    for response in (roles[who].get("/api/v1/users"), roles[who].get(f"/api/v1/users/{donvi}"),
                     roles[who].patch(f"/api/v1/users/{donvi}", json={"active": False}),
                     roles[who].post(f"/api/v1/users/{donvi}/password", json={"password": TEMPORARY}),
                     roles[who].post(f"/api/v1/users/{donvi}/unlock"),
                     roles[who].post(f"/api/v1/users/{donvi}/sessions/revoke")):
        error_of(response, 403, "forbidden")
    assert database_fingerprint(app) == before


def test_unknown_user_is_404(roles):
    error_of(roles["admin"].patch("/api/v1/users/999999", json={"full_name": "Ai"}), 404, "not_found")
    error_of(roles["admin"].post("/api/v1/users/999999/unlock"), 404, "not_found")


# --- edits -----------------------------------------------------------------------------------

def test_admin_edits_name_role_and_unit_in_one_audited_entry(roles, app, donvi):
    response = roles["admin"].patch(f"/api/v1/users/{donvi}", json={
        "full_name": "Phạm Thu Pháp (Văn phòng)", "role": "dic_officer", "unit_code": "SVHTTDL"})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["full_name"], body["role"], body["unit"]["code"], body["role_confirmed"]) == (
        "Phạm Thu Pháp (Văn phòng)", "dic_officer", "SVHTTDL", True)
    with app.app_context():
        entry = db.session.execute(sa.select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(1)).scalar_one()
        import json
        assert (entry.action, entry.actor, entry.entity_id) == ("user.grant_role", "quantri", donvi)
        assert json.loads(entry.changes) == {"full_name": ["Donvi", "Phạm Thu Pháp (Văn phòng)"],
                                             "role": ["unit_officer", "dic_officer"],
                                             "unit": ["STP", "SVHTTDL"], "role_confirmed": True}


def test_patch_that_changes_nothing_writes_nothing(roles, app, donvi):
    before = database_fingerprint(app)
    response = roles["admin"].patch(f"/api/v1/users/{donvi}", json={"role": "unit_officer", "unit_code": "STP"})
    assert response.status_code == 200
    assert database_fingerprint(app) == before


@pytest.mark.parametrize("body,field", [
    ({}, "_schema"),
    ({"role": "dic_officer"}, "unit_code"),                          # a DIC officer outside the DIC's unit
    ({"role": "dic_officer", "unit_code": "STP"}, "unit_code"),
    ({"unit_code": None}, "unit_code"),                              # a unit officer without a unit
    ({"unit_code": "KHONGCO"}, "unit_code"),
    ({"role": "boss"}, "role"),
    ({"active": "false"}, "active"),                                 # a JSON boolean, not text
    ({"active": 0}, "active"),
    ({"full_name": "   "}, "full_name"),
    ({"full_name": "x" * 201}, "full_name"),
    ({"password": TEMPORARY}, "password"),                           # not a field of PATCH
])
def test_bad_edits_are_422_and_change_nothing(roles, app, donvi, body, field):
    before = database_fingerprint(app)
    response = error_of(roles["admin"].patch(f"/api/v1/users/{donvi}", json=body), 422, "validation_error")
    assert field in response["details"], response
    assert database_fingerprint(app) == before


def test_a_user_cannot_be_moved_to_an_inactive_unit(roles, app, world, donvi):
    world.unit("SYT", "Sở Y tế")
    assert roles["admin"].patch("/api/v1/units/SYT", json={"active": False}).status_code == 200
    before = database_fingerprint(app)
    body = error_of(roles["admin"].patch(f"/api/v1/users/{donvi}", json={"unit_code": "SYT"}), 422, "validation_error")
    assert "SYT" in body["details"]["unit_code"][0]
    assert database_fingerprint(app) == before


# --- deactivation ----------------------------------------------------------------------------

def test_deactivation_stops_sessions_and_tokens_on_the_next_request(roles, app, donvi):
    browser, response = web_login(app, "donvi")
    assert response.status_code == 302 and browser.get("/dashboard").status_code == 200
    assert roles["unit"].get("/api/v1/me").status_code == 200
    changed = roles["admin"].patch(f"/api/v1/users/{donvi}", json={"active": False})
    assert changed.status_code == 200 and changed.get_json()["active"] is False
    error_of(roles["unit"].get("/api/v1/me"), 401, "unauthenticated")
    assert location(browser.get("/dashboard")) == "/login"
    error_of(token_response(app.test_client(), "donvi"), 401, "unauthenticated")
    assert actions(app, donvi)[-1] == "user.deactivate"
    # reactivated, the user logs in again; the old token and session stay dead
    assert roles["admin"].patch(f"/api/v1/users/{donvi}", json={"active": True}).status_code == 200
    error_of(roles["unit"].get("/api/v1/me"), 401, "unauthenticated")
    assert location(browser.get("/dashboard")) == "/login"
    assert token_response(app.test_client(), "donvi").status_code == 201


def test_an_admin_cannot_deactivate_or_demote_themselves(roles, app):
    me = user_id(app, "quantri")
    before = database_fingerprint(app)
    error_of(roles["admin"].patch(f"/api/v1/users/{me}", json={"active": False}), 409, "rule_violation")
    error_of(roles["admin"].patch(f"/api/v1/users/{me}", json={"role": "auditor"}), 409, "rule_violation")
    assert database_fingerprint(app) == before
    assert roles["admin"].get("/api/v1/me").status_code == 200


def test_one_admin_deactivates_another_who_stops_at_once(roles, app, world):
    world.user("quantri2", "admin")
    second = api_as(app, "quantri2")
    assert second.patch(f"/api/v1/users/{user_id(app, 'quantri')}", json={"active": False}).status_code == 200
    error_of(roles["admin"].get("/api/v1/me"), 401, "unauthenticated")
    before = database_fingerprint(app)
    error_of(second.patch(f"/api/v1/users/{user_id(app, 'quantri2')}", json={"active": False}), 409,
             "rule_violation")  # the one left cannot switch itself off
    assert database_fingerprint(app) == before


def test_the_last_active_admin_is_never_deactivated_nor_demoted(app, world):
    """What a race leaves for the slower of two admins switching each other off (tested for real in
    test_account_concurrency): its own row is inactive by then, and the other is the last admin."""
    from app.auth import accounts, services
    from app.core.exceptions import RuleViolation
    world.user("quantri", "admin")
    world.user("quantri2", "admin")
    with app.app_context():
        late = services.get_user_by_username("quantri2")
        db.session.execute(sa.update(User).where(User.id == late.id).values(active=False))
        target = services.get_user_by_username("quantri")
        for change in ({"active": False}, {"role": "auditor"}):
            with pytest.raises(RuleViolation) as refused:
                accounts.update_user(late, target, **change)
            assert refused.value.code == "last_admin"
        db.session.rollback()


# --- temporary passwords ---------------------------------------------------------------------

def test_a_password_an_admin_sets_is_temporary(roles, app, donvi):
    browser, _ = web_login(app, "donvi")
    response = roles["admin"].post(f"/api/v1/users/{donvi}/password", json={"password": TEMPORARY})
    assert response.status_code == 200 and response.get_json()["password_change_required"] is True
    assert actions(app, donvi)[-1] == "user.password_reset"
    # the old password, the old token and the old web session stop at once
    error_of(roles["unit"].get("/api/v1/me"), 401, "unauthenticated")
    assert location(browser.get("/dashboard")) == "/login"
    error_of(token_response(app.test_client(), "donvi"), 401, "unauthenticated")
    issued = token_response(app.test_client(), "donvi", TEMPORARY)
    assert issued.status_code == 201 and issued.get_json()["password_change_required"] is True
    temp = ApiClient(app.test_client(), issued.get_json()["token"])
    assert temp.get("/api/v1/me").status_code == 200
    for blocked in (temp.get("/api/v1/requests"), temp.get("/api/v1/units"), temp.post("/api/v1/me/totp"),
                    temp.post("/api/v1/requests", json={})):
        error_of(blocked, 403, "password_change_required")
    changed = temp.post("/api/v1/me/password", json={"current_password": TEMPORARY, "new_password": OWN})
    assert changed.status_code == 200, changed.get_json()
    assert temp.get("/api/v1/requests").status_code == 200  # the same token now opens everything
    again = token_response(app.test_client(), "donvi", OWN)
    assert again.status_code == 201 and again.get_json()["password_change_required"] is False


def test_a_temporary_password_token_may_log_itself_out(roles, app, donvi):
    roles["admin"].post(f"/api/v1/users/{donvi}/password", json={"password": TEMPORARY})
    temp = api_as(app, "donvi", TEMPORARY)
    assert temp.delete("/api/v1/auth/token").status_code == 204
    error_of(temp.get("/api/v1/me"), 401, "unauthenticated")


def test_the_pages_send_a_temporary_password_to_the_change_page(roles, app, donvi):
    roles["admin"].post(f"/api/v1/users/{donvi}/password", json={"password": TEMPORARY})
    browser, response = web_login(app, "donvi", TEMPORARY)
    assert response.status_code == 302
    assert location(browser.get("/", follow_redirects=False)) in ("/dashboard", "/account/password")
    assert location(browser.get("/dashboard")) == "/account/password"
    assert location(browser.get("/requests")) == "/account/password"
    page = browser.get("/account/password")
    assert page.status_code == 200 and 'data-testid="temporary-password"' in text(page)
    refused = post_form(browser, "/account/password", "/requests/new", {"title": "x"})
    assert refused.status_code == 403
    done = post_form(browser, "/account/password", "/account/password", {
        "current_password": TEMPORARY, "new_password": OWN, "new_password_confirm": OWN})
    assert done.status_code == 302, text(done)[:500]
    assert browser.get("/dashboard").status_code == 200  # this session stays and now opens the pages


def test_users_made_by_an_admin_start_with_a_temporary_password(roles, app):
    created = roles["admin"].post("/api/v1/users", json={
        "username": "canbo.moi", "password": TEMPORARY, "full_name": "Cán Bộ Mới", "role": "unit_officer",
        "unit_code": "STP"})
    assert created.status_code == 201 and created.get_json()["password_change_required"] is True
    issued = token_response(app.test_client(), "canbo.moi", TEMPORARY)
    assert issued.get_json()["password_change_required"] is True


@pytest.mark.parametrize("password,field", [("ngan", "password"), ("donvi-mat-khau-moi", "password"),
                                            ("password1234", "password"), (" " * 12, "password")])
def test_an_admins_password_follows_the_same_rules(roles, app, donvi, password, field):
    before = database_fingerprint(app)
    body = error_of(roles["admin"].post(f"/api/v1/users/{donvi}/password", json={"password": password}), 422,
                    "validation_error")
    assert field in body["details"]
    assert database_fingerprint(app) == before


def test_no_password_reset_for_a_deactivated_user_or_oneself(roles, app, donvi):
    roles["admin"].patch(f"/api/v1/users/{donvi}", json={"active": False})
    before = database_fingerprint(app)
    body = error_of(roles["admin"].post(f"/api/v1/users/{donvi}/password", json={"password": TEMPORARY}), 409,
                    "rule_violation")
    assert "khoá" in body["message"]
    error_of(roles["admin"].post(f"/api/v1/users/{user_id(app, 'quantri')}/password", json={"password": TEMPORARY}),
             409, "rule_violation")
    assert database_fingerprint(app) == before


def test_ending_all_sessions(roles, app, donvi):
    browser, _ = web_login(app, "donvi")
    response = roles["admin"].post(f"/api/v1/users/{donvi}/sessions/revoke")
    assert response.status_code == 200
    error_of(roles["unit"].get("/api/v1/me"), 401, "unauthenticated")
    assert location(browser.get("/dashboard")) == "/login"
    assert token_response(app.test_client(), "donvi").status_code == 201  # the password still works
    with app.app_context():
        import json
        entry = db.session.execute(
            sa.select(AuditEntry).where(AuditEntry.action == "user.sessions_revoke")).scalar_one()
        assert json.loads(entry.changes) == {"sessions": 1, "tokens": 1}


# --- roles that wait for a finance officer's confirmation -------------------------------------

def test_a_granted_finance_role_acts_only_once_another_finance_officer_confirms(roles, app):
    created = roles["admin"].post("/api/v1/users", json={
        "username": "taichinh2", "password": TEMPORARY, "full_name": "Tài Chính Hai", "role": "finance_officer"})
    assert created.status_code == 201 and created.get_json()["role_confirmed"] is False
    grantee = created.get_json()["id"]
    temp = api_as(app, "taichinh2", TEMPORARY)
    changed = temp.post("/api/v1/me/password", json={"current_password": TEMPORARY, "new_password": OWN})
    assert changed.status_code == 200
    assert temp.get("/api/v1/me").get_json()["role"] == "finance_officer"
    for blocked in (temp.get("/api/v1/envelopes"), temp.get("/api/v1/audit"),
                    temp.post(f"/api/v1/users/{grantee}/confirm-role")):  # not even its own grant
        error_of(blocked, 403, "role_unconfirmed")
    error_of(roles["admin"].post(f"/api/v1/users/{grantee}/confirm-role"), 403, "forbidden")
    error_of(roles["auditor"].post(f"/api/v1/users/{grantee}/confirm-role"), 403, "forbidden")
    confirmed = roles["finance"].post(f"/api/v1/users/{grantee}/confirm-role")
    assert confirmed.status_code == 200 and confirmed.get_json()["role_confirmed"] is True
    assert temp.get("/api/v1/envelopes").status_code == 200
    error_of(roles["finance"].post(f"/api/v1/users/{grantee}/confirm-role"), 409, "invalid_transition")
    assert actions(app, grantee)[-1] == "user.confirm_role"


def test_granting_auditor_through_patch_waits_too_and_other_roles_do_not(roles, app, donvi):
    granted = roles["admin"].patch(f"/api/v1/users/{donvi}", json={"role": "auditor"})
    assert granted.get_json()["role_confirmed"] is False
    error_of(roles["unit"].get("/api/v1/requests"), 403, "role_unconfirmed")
    assert roles["unit"].get("/api/v1/me").status_code == 200
    back = roles["admin"].patch(f"/api/v1/users/{donvi}", json={"role": "unit_officer", "unit_code": "STP"})
    assert back.get_json()["role_confirmed"] is True
    assert roles["unit"].get("/api/v1/requests").status_code == 200


def test_the_accounts_made_on_the_server_need_no_confirmation(roles):
    assert roles["finance"].get("/api/v1/envelopes").status_code == 200
    assert roles["auditor"].get("/api/v1/audit").status_code == 200


def test_a_finance_officer_never_confirms_their_own_grant(app, world):
    """A confirmed finance officer whom an admin re-grants the role (auditor → finance) waits again,
    and cannot confirm it: the service refuses the grantee even past the gate."""
    from app.auth import accounts, services
    from app.core.exceptions import Forbidden
    world.user("taichinh", "finance_officer")
    with app.app_context():
        me = services.get_user_by_username("taichinh")
        with pytest.raises(Forbidden):
            accounts.confirm_role(me, me)
        db.session.rollback()


def test_pages_of_an_unconfirmed_role_lead_to_the_account_page(roles, app, donvi):
    roles["admin"].patch(f"/api/v1/users/{donvi}", json={"role": "auditor"})
    browser, _ = web_login(app, "donvi")
    assert location(browser.get("/envelopes")) == "/account"
    page = browser.get("/account")
    assert page.status_code == 200 and 'data-reason="role_unconfirmed"' in text(page)


def test_finance_confirms_on_its_page(roles, app):
    roles["admin"].post("/api/v1/users", json={"username": "kiemtoan2", "password": TEMPORARY,
                                                "full_name": "Kiểm Toán Hai", "role": "auditor"})
    browser, _ = web_login(app, "taichinh")
    page = browser.get("/role-grants")
    assert page.status_code == 200 and 'data-username="kiemtoan2"' in text(page)
    grantee = user_id(app, "kiemtoan2")
    done = post_form(browser, "/role-grants", f"/role-grants/{grantee}/confirm", {})
    assert done.status_code == 302 and location(done) == "/role-grants"
    assert 'data-username="kiemtoan2"' not in text(browser.get("/role-grants"))


# --- the admin's pages -------------------------------------------------------------------------

def test_admin_pages_create_edit_and_deactivate(roles, app):
    browser, _ = web_login(app, "quantri")
    listing = browser.get("/users?role=unit_officer")
    assert listing.status_code == 200 and 'data-username="donvi"' in text(listing)
    assert 'data-username="taichinh"' not in text(listing)
    created = post_form(browser, "/users/new", "/users/new", {
        "username": "canbo.moi", "full_name": "Cán Bộ Mới", "role": "unit_officer", "unit_code": "STP",
        "password": TEMPORARY})
    assert created.status_code == 302, text(created)[:800]
    new_id = user_id(app, "canbo.moi")
    assert location(created) == f"/users/{new_id}"
    edited = post_form(browser, f"/users/{new_id}", f"/users/{new_id}", {
        "full_name": "Cán Bộ Đã Sửa", "role": "unit_officer", "unit_code": "ANNHON"})
    assert edited.status_code == 302
    refused = post_form(browser, f"/users/{new_id}", f"/users/{new_id}", {
        "full_name": "Cán Bộ Đã Sửa", "role": "dic_officer", "unit_code": "ANNHON"})
    assert refused.status_code == 422 and "SVHTTDL" in text(refused)
    before = database_fingerprint(app)
    again = post_form(browser, f"/users/{new_id}", f"/users/{new_id}/reactivate", {})
    assert again.status_code == 409  # already active
    assert database_fingerprint(app) == before
    off = post_form(browser, f"/users/{new_id}", f"/users/{new_id}/deactivate", {})
    assert off.status_code == 302
    assert "Đã khoá" in text(browser.get(f"/users/{new_id}"))
    me = user_id(app, "quantri")
    self_off = post_form(browser, f"/users/{me}", f"/users/{me}/deactivate", {})
    assert self_off.status_code == 409 and "chính mình" in text(self_off)


def test_admin_pages_refuse_other_roles(roles, app):
    browser, _ = web_login(app, "taichinh")
    assert browser.get("/users").status_code == 403
    assert browser.get(f"/users/{user_id(app, 'donvi')}").status_code == 403
    anonymous = app.test_client().get("/users")
    assert location(anonymous) == "/login"


def test_admin_lands_on_the_work_page_with_the_users_in_the_menu(roles, app):
    browser, response = web_login(app, "quantri")
    assert location(browser.get("/")) == "/work"  # Việc cần làm (issue 19)
    assert 'href="/users" data-testid="nav-users.list_users"' in browser.get("/work").get_data(as_text=True)
    assert PASSWORD  # the roles world's password


def test_a_restricted_token_still_reaches_the_public_routes(roles, app, donvi):
    roles["admin"].post(f"/api/v1/users/{donvi}/password", json={"password": TEMPORARY})
    temp = api_as(app, "donvi", TEMPORARY)
    assert temp.get("/api/v1/openapi.json").status_code == 200
    again = temp.post("/api/v1/auth/token", json={"username": "donvi", "password": TEMPORARY})
    assert again.status_code == 201 and again.get_json()["password_change_required"] is True
