"""Bad input on the foundation endpoints: always DESIGN §6's error body, never a 500."""
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ERROR_KEYS = {"error", "message", "details"}


def assert_error(response, status, code=None):
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True)[:500])
    assert response.content_type.startswith("application/json")
    body = response.get_json()
    assert set(body) == ERROR_KEYS, body
    if code is not None:
        assert body["error"] == code
    assert isinstance(body["message"], str) and body["message"]
    assert isinstance(body["details"], dict)
    for field, messages in body["details"].items():
        assert isinstance(field, str)
        assert isinstance(messages, list) and all(isinstance(m, str) for m in messages), body
    return body


GOOD_UNIT = {"code": "SYT", "name": "Sở Y tế", "kind": "department"}
GOOD_USER = {"username": "moi", "password": "mot-mat-khau-dai", "full_name": "Mới", "role": "auditor"}
TOKEN_BODY = {"username": "donvi", "password": "correct-horse-battery"}
# (path, who may write, a good body)
WRITE_ENDPOINTS = [
    ("/api/v1/units", "admin", GOOD_UNIT),
    ("/api/v1/users", "admin", GOOD_USER),
    ("/api/v1/auth/token", "anonymous", TOKEN_BODY),
]


@pytest.mark.parametrize("path,who,good", WRITE_ENDPOINTS)
def test_malformed_json_is_400(roles, path, who, good):
    for raw in ('{"code": ', "{'code': 'x'}", "not json", '{"a":1}{"b":2}', "[1,]"):
        response = roles[who].post(path, data=raw, headers={"Content-Type": "application/json"})
        assert_error(response, 400, "bad_request")


@pytest.mark.parametrize("path,who,good", WRITE_ENDPOINTS)
def test_invalid_utf8_is_400(roles, path, who, good):
    response = roles[who].post(path, data=b'{"code": "\xff\xfe"}', headers={"Content-Type": "application/json"})
    assert_error(response, 400, "bad_request")


@pytest.mark.parametrize("path,who,good", WRITE_ENDPOINTS)
@pytest.mark.parametrize("body", [[], [1, 2], "text", 5, None, True])
def test_non_object_json_is_422(roles, path, who, good, body):
    response = roles[who].post(path, data=json.dumps(body), headers={"Content-Type": "application/json"})
    assert_error(response, 422, "validation_error")


@pytest.mark.parametrize("path,who,good", WRITE_ENDPOINTS)
def test_missing_fields_are_named(roles, path, who, good):
    body = assert_error(roles[who].post(path, json={}), 422, "validation_error")
    assert set(good) <= set(body["details"])
    for field in good:
        partial = {k: v for k, v in good.items() if k != field}
        body = assert_error(roles[who].post(path, json=partial), 422, "validation_error")
        assert field in body["details"]


@pytest.mark.parametrize("path,who,good", WRITE_ENDPOINTS)
def test_unknown_fields_are_named(roles, path, who, good):
    body = assert_error(roles[who].post(path, json={**good, "surprise": 1}), 422, "validation_error")
    assert "surprise" in body["details"]


@pytest.mark.parametrize("path,who,good", WRITE_ENDPOINTS)
def test_wrong_types_are_named(roles, path, who, good):
    for field in good:
        for wrong in (5, 5.5, True, [], {}, None):
            body = assert_error(roles[who].post(path, json={**good, field: wrong}), 422, "validation_error")
            assert field in body["details"], (field, wrong, body)


def test_code_as_number_is_refused(roles):
    body = assert_error(roles["admin"].post("/api/v1/units", json={**GOOD_UNIT, "code": 5}), 422, "validation_error")
    assert list(body["details"]) == ["code"]


@pytest.mark.parametrize("path,who,good", WRITE_ENDPOINTS)
def test_body_not_declared_as_json_is_415_not_a_crash(roles, path, who, good):
    response = roles[who].post(path, data=json.dumps(good), headers={"Content-Type": "text/plain"})
    assert_error(response, 415, "unsupported_media_type")
    response = roles[who].post(path, data={"code": "x"})  # a form post
    assert_error(response, 415, "unsupported_media_type")


@pytest.mark.parametrize("path,who,good", WRITE_ENDPOINTS)
def test_oversize_body_is_413_json(roles, app, path, who, good):
    size = app.config["MAX_CONTENT_LENGTH"] + 1
    response = roles[who].post(path, data=b" " * size, headers={"Content-Type": "application/json"})
    assert_error(response, 413, "payload_too_large")


def test_upload_limit_is_20_mb(app):
    assert app.config["MAX_CONTENT_LENGTH"] >= 20 * 1024 * 1024
    assert app.config["MAX_CONTENT_LENGTH"] < 21 * 1024 * 1024


@pytest.mark.parametrize("path,who,good", WRITE_ENDPOINTS)
def test_deeply_nested_json_is_400_not_500(roles, path, who, good):
    depth = 100_000
    response = roles[who].post(path, data="[" * depth + "]" * depth, headers={"Content-Type": "application/json"})
    assert_error(response, 400, "bad_request")
    response = roles[who].post(path, data='{"a":' * depth + "1" + "}" * depth,
                               headers={"Content-Type": "application/json"})
    assert_error(response, 400, "bad_request")


@pytest.mark.parametrize("path,who,good", WRITE_ENDPOINTS)
@pytest.mark.parametrize("bad", ["a\x00b", "\ud800", "ok\udfffok"])
def test_text_no_database_can_store_is_422_naming_the_field(roles, path, who, good, bad):
    for field in good:
        body = assert_error(roles[who].post(path, json={**good, field: bad}), 422, "validation_error")
        assert field in body["details"], (field, body)


@pytest.mark.parametrize("query", ["q=a%00b", "kind=%00", "page=1%00"])
def test_nul_in_a_query_is_422(roles, query):
    body = assert_error(roles["admin"].get(f"/api/v1/units?{query}"), 422, "validation_error")
    assert query.split("=")[0] in body["details"]


def test_nul_in_audit_filters_is_422(roles):
    assert_error(roles["admin"].get("/api/v1/audit?entity=a%00"), 422, "validation_error")


def test_unicode_text_is_fine(roles):
    response = roles["admin"].post("/api/v1/units", json={"code": "SKHCN", "name": "Sở Khoa học và Công nghệ 🏛",
                                                          "kind": "department"})
    assert response.status_code == 201
    assert response.get_json()["name"] == "Sở Khoa học và Công nghệ 🏛"


@pytest.mark.parametrize("path", ["/api/v1/nope", "/api/v1/units/", "/api/v1/units/1/extra", "/api/v2/units",
                                  "/api/v1/me/", "/api/"])
def test_unknown_api_route_is_404_json(roles, path):
    assert_error(roles["admin"].get(path), 404, "not_found")
    assert_error(roles["anonymous"].get(path), 404, "not_found")


@pytest.mark.parametrize("method,path", [
    ("put", "/api/v1/units"), ("delete", "/api/v1/units"), ("patch", "/api/v1/units"),
    ("post", "/api/v1/me"), ("get", "/api/v1/auth/token"), ("put", "/api/v1/users"),
    ("post", "/api/v1/audit"),
])
def test_wrong_method_is_405_json_with_allow(roles, method, path):
    response = getattr(roles["admin"].client, method)(path, headers=roles["admin"]._headers())
    assert_error(response, 405, "method_not_allowed")
    assert response.headers.get("Allow")


def test_contract_paths_answer_without_redirect(roles):
    for path in ("/api/v1/units", "/api/v1/audit", "/api/v1/me"):
        response = roles["admin"].get(path)
        assert response.status_code == 200, (path, response.status_code)
    assert roles["admin"].post("/api/v1/units", json=GOOD_UNIT).status_code == 201


def test_openapi_spec(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.get_json()
    assert spec["openapi"].startswith("3.")
    paths = spec["paths"]
    for path in ("/api/v1/units", "/api/v1/users", "/api/v1/auth/token", "/api/v1/me", "/api/v1/audit"):
        assert path in paths, sorted(paths)
    assert not [p for p in paths if p.endswith("/") and p != "/"], sorted(paths)
    assert {"get", "post"} <= set(paths["/api/v1/units"])


def test_every_spec_path_answers_without_redirect(client, roles):
    """Each GET in the spec, requested as written, is never a 308/301 (ids filled with 1)."""
    import re
    spec = client.get("/api/v1/openapi.json").get_json()
    for path, operations in spec["paths"].items():
        if "get" not in operations:
            continue
        concrete = re.sub(r"\{[^}]+\}", "1", path)
        response = roles["finance"].get(concrete)
        assert response.status_code not in (301, 302, 307, 308), (path, response.status_code)
        assert response.status_code < 500, (path, response.status_code)


def test_database_data_errors_become_422_not_500(app):
    """The last line behind the schemas: a value the database refuses (too long, out of range)."""
    import sqlalchemy as sa

    from app.extensions import db
    error = sa.exc.DataError("INSERT INTO units ...", {}, Exception("value too long for type character varying(20)"))
    with app.test_request_context("/api/v1/units", method="POST"):
        response = app.make_response(app.handle_user_exception(error))
        assert_error(response, 422, "validation_error")
        db.session.remove()
    with app.test_request_context("/units", method="POST"):
        response = app.make_response(app.handle_user_exception(error))
        assert response.status_code == 422 and "text/html" in response.content_type
        db.session.remove()


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok", "database": "ok"}


def test_security_headers_and_no_store(client, roles):
    response = roles["admin"].get("/api/v1/me")
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    page = client.get("/login")
    assert page.headers["X-Frame-Options"] == "DENY"
    assert page.headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert len(page.headers.getlist("Cache-Control")) == 1  # added once, not repeated
    static = client.get("/static/css/app.css")
    assert static.status_code == 200 and static.headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" not in static.headers.get("Cache-Control", "")  # static files may be cached


# --- fuzzing -----------------------------------------------------------------------------

nasty_text = st.sampled_from(["", " ", "\x00", "\ud800", "a" * 300, "'; DROP TABLE units; --", "Ở",
                              "department", "unit_officer", "admin", "STP", "0" * 25, "ß" * 70])
json_scalars = st.one_of(st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70),
                         st.floats(allow_nan=False), st.text(max_size=40), nasty_text)
json_values = st.recursive(json_scalars, lambda inner: st.lists(inner, max_size=3)
                           | st.dictionaries(st.text(max_size=8), inner, max_size=3), max_leaves=8)
FUZZ = settings(max_examples=50, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def _bodies(fields):
    known = st.dictionaries(st.sampled_from(fields), json_values, max_size=len(fields))
    extra = st.dictionaries(st.text(max_size=10), json_values, max_size=2)
    return st.one_of(st.builds(lambda a, b: {**a, **b}, known, extra), json_values)


def _check_fuzzed(response):
    assert response.status_code < 500, response.get_data(as_text=True)[:500]
    if response.status_code >= 400:
        assert_error(response, response.status_code)


@FUZZ
@given(body=_bodies(["code", "name", "kind", "contact_name", "contact_phone", "contact_email"]))
def test_fuzz_create_unit(roles, body):
    _check_fuzzed(roles["admin"].post("/api/v1/units", json=body))


@FUZZ
@given(body=_bodies(["username", "password", "full_name", "role", "unit_code"]))
def test_fuzz_create_user(roles, body):
    _check_fuzzed(roles["admin"].post("/api/v1/users", json=body))


@FUZZ
@given(body=_bodies(["username", "password"]))
def test_fuzz_token(roles, body):
    _check_fuzzed(roles["anonymous"].post("/api/v1/auth/token", json=body))


@FUZZ
@given(query=st.dictionaries(st.sampled_from(["page", "per_page", "entity", "entity_id", "action", "kind", "q"]),
                             st.one_of(st.text(max_size=30), st.integers(min_value=-(2**70), max_value=2**70)
                                       .map(str)), max_size=4))
def test_fuzz_list_queries(roles, query):
    for path in ("/api/v1/units", "/api/v1/audit"):
        _check_fuzzed(roles["auditor"].get(path, query_string=query))


def test_database_messages_are_logged_on_one_line(app, caplog):
    """PostgreSQL's DETAIL quotes what a client sent: a line break in it must not forge a log line."""
    import logging

    import sqlalchemy as sa

    from app.extensions import db
    forged = "duplicate key\nDETAIL:  Key (tax_code)=(0100\n2026-12-02 ERROR forged line) already exists."
    for error in (sa.exc.IntegrityError("INSERT ...", {}, Exception(forged)),
                  sa.exc.DataError("INSERT ...", {}, Exception(forged))):
        with caplog.at_level(logging.WARNING, logger="app.core.errors"), \
                app.test_request_context("/api/v1/suppliers", method="POST"):
            app.make_response(app.handle_user_exception(error))
            db.session.remove()
    lines = [record.getMessage() for record in caplog.records if record.name == "app.core.errors"]
    assert len(lines) == 2 and all("\n" not in line and "\\n" in line for line in lines), lines
