"""The caller of an API read is a plain read-only row (`app.auth.caller.Caller`); writes get the User."""
import pytest
from flask_login import current_user

from app.auth.caller import Caller
from app.auth.models import User
from app.extensions import db
from tests import support


def _caller_of(app, method, token):
    with app.test_request_context("/api/v1/me", method=method, headers={"Authorization": f"Bearer {token}"}):
        user = current_user._get_current_object()
        values = (type(user), user.is_authenticated, getattr(user, "username", None))
        db.session.remove()
    return values


def test_a_read_gets_a_caller_and_a_write_the_user(app, _roles_world):
    token = _roles_world.tokens["unit"]
    assert _caller_of(app, "GET", token) == (Caller, True, "donvi")
    assert _caller_of(app, "HEAD", token) == (Caller, True, "donvi")
    assert _caller_of(app, "POST", token) == (User, True, "donvi")


def test_a_caller_holds_the_row_and_loads_the_rest_of_the_user_once(app, _roles_world):
    token = _roles_world.tokens["unit"]
    with app.test_request_context("/api/v1/me", headers={"Authorization": f"Bearer {token}"}):
        with support.CountedStatements(app) as loading:
            caller = current_user._get_current_object()
        with support.CountedStatements(app) as row_values:
            seen = (caller.role, caller.unit_id, caller.unit.code, caller.totp_enabled, caller.is_active)
        with support.CountedStatements(app) as first_other:
            created = caller.created_at  # not in the row: the User is loaded
        with support.CountedStatements(app) as second_other:
            assert caller.password_changed_at is not None and caller.created_at == created
        user = db.session.get(User, caller.id)
        assert seen == ("unit_officer", user.unit_id, "STP", False, True)
        assert (len(loading), len(row_values), len(first_other), len(second_other)) == (1, 0, 1, 0)
        assert caller.unit.kind == user.unit.kind  # the unit's other fields come from the Unit
        db.session.remove()


def test_a_caller_cannot_be_changed(app, _roles_world):
    with app.test_request_context("/api/v1/me", headers={"Authorization": f"Bearer {_roles_world.tokens['unit']}"}):
        caller = current_user._get_current_object()
        with pytest.raises(AttributeError, match="read-only"):
            caller.role = "finance_officer"
        with pytest.raises(AttributeError, match="read-only"):
            caller.unit.code = "XYZ"
        assert caller.role == "unit_officer"
        db.session.remove()


def test_a_caller_without_a_unit(app, _roles_world):
    with app.test_request_context("/api/v1/me", headers={"Authorization": f"Bearer {_roles_world.tokens['finance']}"}):
        caller = current_user._get_current_object()
        assert (type(caller), caller.role, caller.unit) == (Caller, "finance_officer", None)
        db.session.remove()


def test_reads_refuse_a_revoked_token_and_a_deactivated_user_at_once(app, roles):
    unit, finance = roles["unit"], roles["finance"]
    assert unit.get("/api/v1/me").status_code == 200
    assert unit.delete("/api/v1/auth/token").status_code == 204
    assert unit.get("/api/v1/me").status_code == 401
    assert unit.get("/api/v1/allocations").status_code == 401

    assert roles["auditor"].get("/api/v1/allocations").status_code == 200
    auditor_id = support.get(roles["auditor"], "/api/v1/me")["id"]
    support.ok(roles["admin"].patch(f"/api/v1/users/{auditor_id}", json={"active": False}), 200)
    assert roles["auditor"].get("/api/v1/allocations").status_code == 401
    head = roles["auditor"].client.head("/api/v1/allocations", headers=roles["auditor"]._headers())
    assert head.status_code == 401
    assert finance.get("/api/v1/allocations").status_code == 200


def test_the_api_neither_reads_nor_sets_the_session_cookie(app, _roles_world):
    browser = support.Browser(app, "donvi")  # signed in on the pages: the client holds a session cookie
    assert browser.get("/api/v1/me").status_code == 401  # the cookie alone does not authenticate the API
    answer = browser.client.get("/api/v1/me", headers={"Authorization": f"Bearer {_roles_world.tokens['unit']}"})
    assert answer.status_code == 200
    assert "Set-Cookie" not in answer.headers and "Cookie" not in answer.headers.get("Vary", "")
    assert browser.get("/api/v1/me?lang=en").status_code == 401
    assert browser.get("/account").status_code == 200  # the page session is untouched by the API calls
