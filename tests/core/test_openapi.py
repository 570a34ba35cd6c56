"""The OpenAPI document tells the truth: the error body it documents is the one clients get."""
import io

import jsonschema
import pytest

from tests import support

PUBLIC = {("post", "/api/v1/auth/token"), ("get", "/api/v1/public/disclosure"),
          ("get", "/api/v1/public/disclosure/commissions"), ("get", "/api/v1/public/disclosure/deliverables")}


@pytest.fixture
def spec(client):
    return client.get("/api/v1/openapi.json").get_json()


def _operations(spec):
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            if method != "parameters":
                yield method, path, op


def _error_schema(spec):
    schema = dict(spec["components"]["schemas"]["ErrorOut"])
    return schema


def test_documented_error_schema_is_the_contract_body(spec):
    schema = _error_schema(spec)
    assert set(schema["properties"]) == {"error", "message", "details"}
    assert set(schema["required"]) == {"error", "message", "details"}
    default = spec["components"]["responses"]["DEFAULT_ERROR"]["content"]["application/json"]["schema"]
    assert default == {"$ref": "#/components/schemas/ErrorOut"}


def test_every_operation_has_a_summary_and_its_error_answers(spec):
    missing = []
    for method, path, op in _operations(spec):
        responses = set(op["responses"])
        expected = set()
        if (method, path) not in PUBLIC:
            expected.add("401")
        if "{" in path:
            expected.add("404")
        if "requestBody" in op or any(p.get("in") == "query" for p in op.get("parameters", [])):
            expected.add("422")
        if not op.get("summary"):
            missing.append((method, path, "summary"))
        for status in sorted(expected - responses):
            missing.append((method, path, status))
        for status in responses - {"default"}:
            if status.startswith(("4", "5")):
                ref = op["responses"][status]
                content = ref.get("content", {}).get("application/json", {}).get("schema")
                assert content == {"$ref": "#/components/schemas/ErrorOut"} or "$ref" in ref, (method, path)
    assert missing == []


def test_conflicts_name_their_machine_codes(spec):
    op = spec["paths"]["/api/v1/allocations"]["post"]
    assert "insufficient_funds" in op["responses"]["409"]["description"]
    assert "401" in op["responses"] and "403" in op["responses"]


def _validate(spec, response, status):
    assert response.status_code == status, response.get_json()
    jsonschema.validate(response.get_json(), _error_schema(spec))


def test_real_error_answers_validate_against_the_documented_schema(spec, roles):
    unit, finance, admin = roles["unit"], roles["finance"], roles["admin"]
    _validate(spec, roles["anonymous"].get("/api/v1/requests"), 401)
    _validate(spec, admin.get("/api/v1/envelopes"), 403)
    _validate(spec, finance.get("/api/v1/requests/999999"), 404)
    _validate(spec, finance.post("/api/v1/envelopes", json={"code": ""}), 422)
    _validate(spec, unit.client.post("/api/v1/requests", data="{not json", content_type="application/json",
                                     headers={"Authorization": f"Bearer {unit.token}"}), 400)
    request = support.submitted_request(unit)
    _validate(spec, unit.post(f"/api/v1/requests/{request['id']}/submit"), 409)
    env = support.envelope(finance, 100)
    refused = finance.post("/api/v1/allocations", json=support.allocation_body(env["id"], amount=101))
    _validate(spec, refused, 409)
    assert refused.get_json()["error"] == "insufficient_funds"
    big = unit.post(f"/api/v1/requests/{request['id']}/documents",
                    data={"file": (io.BytesIO(b"%PDF-" + b"0" * 10), "x.exe")},
                    content_type="multipart/form-data")
    _validate(spec, big, 422)


def test_throttled_login_answer_validates(spec, roles):
    anonymous = roles["anonymous"]
    for _ in range(5):
        anonymous.post("/api/v1/auth/token", json={"username": "donvi", "password": "wrong-password-123"})
    _validate(spec, anonymous.post("/api/v1/auth/token",
                                   json={"username": "donvi", "password": "wrong-password-123"}), 429)
