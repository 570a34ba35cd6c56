"""Helpers of the account tests (issue 17): logins by the API and the form, TOTP codes, errors."""
from urllib.parse import urlsplit

import pyotp

from tests.support import PASSWORD, ApiClient, csrf_of, text

TEMPORARY = "mat-khau-tam-thoi-2026"
OWN = "mat-khau-cua-rieng-toi-2026"


def token_response(client, username, password=PASSWORD, **extra):
    return client.post("/api/v1/auth/token", json={"username": username, "password": password, **extra})


def api_as(app, username, password=PASSWORD, **extra) -> ApiClient:
    response = token_response(app.test_client(), username, password, **extra)
    assert response.status_code == 201, response.get_json()
    return ApiClient(app.test_client(), response.get_json()["token"])


def error_of(response, status, code):
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True)[:500])
    body = response.get_json()
    assert set(body) == {"error", "message", "details"}, body
    assert body["error"] == code, body
    assert body["message"]
    return body


def web_login(app, username, password=PASSWORD, client=None):
    """(client, response) of the login form's first step."""
    client = client or app.test_client()
    page = client.get("/login")
    response = client.post("/login", data={"csrf_token": csrf_of(page), "username": username, "password": password})
    return client, response


def location(response) -> str:
    return urlsplit(response.headers.get("Location", "")).path


def post_form(client, page_path, action, data):
    page = client.get(page_path)
    assert page.status_code == 200, (page_path, page.status_code, text(page)[:300])
    return client.post(action, data={"csrf_token": csrf_of(page), **data})


def enrol(api: ApiClient) -> tuple[str, list[str]]:
    """Enrol TOTP through the API: (secret, recovery codes)."""
    started = api.post("/api/v1/me/totp")
    assert started.status_code == 201, started.get_json()
    secret = started.get_json()["secret"]
    confirmed = api.post("/api/v1/me/totp/confirm", json={"code": pyotp.TOTP(secret).now()})
    assert confirmed.status_code == 200, confirmed.get_json()
    return secret, confirmed.get_json()["recovery_codes"]


def code_at(secret: str, offset_steps: int = 0) -> str:
    """The code of another time-step than now (one that is not yet spent)."""
    import time
    return pyotp.TOTP(secret).at(time.time() + 30 * offset_steps)
