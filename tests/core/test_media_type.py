"""A body the API cannot read as JSON is refused with 415 `unsupported_media_type` (issue 22 item 2)
and changes nothing; JSON, uploads and empty bodies go through as before."""
import json

import pytest

from tests import support


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", None])
def test_a_body_that_is_not_json_is_415(roles, app, content_type):
    before = support.database_fingerprint(app)
    body = json.dumps({"fiscal_year": support.YEAR, "code": "X", "name": "Nguồn", "amount": 10,
                       "decision_no": "1/QĐ", "decision_date": f"{support.YEAR}-01-10"})
    headers = {} if content_type is None else {"Content-Type": content_type}
    response = roles["finance"].post("/api/v1/envelopes", data=body, headers=headers)
    assert response.status_code == 415, response.get_data(as_text=True)
    answer = response.get_json()
    assert answer["error"] == "unsupported_media_type" and "application/json" in answer["message"]
    assert support.database_fingerprint(app) == before


def test_json_uploads_and_empty_bodies_still_go_through(roles, app):
    assert roles["finance"].post("/api/v1/envelopes", json={"fiscal_year": support.YEAR}).status_code == 422
    request = support.submitted_request(roles["unit"])
    assert support.upload(roles["unit"], request["id"]).status_code == 201
    anonymous = roles["anonymous"].post("/api/v1/envelopes", data="x", headers={"Content-Type": "text/plain"})
    assert anonymous.status_code == 401  # who asks comes before what is sent
