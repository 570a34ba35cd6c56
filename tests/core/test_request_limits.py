"""Over-long request lines and headers (issue 22 item 2): the API answers with its JSON error body,
pages with the error page, and gunicorn started with the repository's gunicorn.conf.py lets such a
request reach the app instead of answering with its own HTML page."""
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.core import request_guards

ROOT = Path(__file__).resolve().parents[2]
LONG_QUERY = "q=" + "x" * (request_guards.MAX_TARGET_CHARS + 10)


def test_an_over_long_api_line_is_a_json_414(roles):
    response = roles["finance"].get(f"/api/v1/allocations?{LONG_QUERY}")
    assert response.status_code == 414 and response.is_json
    assert response.get_json()["error"] == "uri_too_long" and "url" in response.get_json()["details"]


def test_an_over_long_header_or_too_many_headers_is_a_json_431(roles):
    big = roles["finance"].get("/api/v1/allocations", headers={"X-Big": "y" * 9000})
    assert big.status_code == 431 and big.get_json()["error"] == "request_header_fields_too_large"
    many = roles["finance"].get("/api/v1/allocations", headers={f"X-H{i}": "1" for i in range(120)})
    assert many.status_code == 431 and many.is_json


def test_a_header_at_the_limit_passes_and_one_byte_more_is_named(roles):
    room = request_guards.MAX_HEADER_FIELD_BYTES - len("X-Big")
    assert roles["finance"].get("/api/v1/allocations", headers={"X-Big": "y" * room}).status_code == 200
    over = roles["finance"].get("/api/v1/allocations", headers={"X-Big": "y" * (room + 1)})
    assert over.status_code == 431 and over.get_json()["details"] == {"X-Big": [f"{room + 1} byte"]}
    long_name = roles["finance"].get("/api/v1/allocations", headers={"X-" + "n" * (room + 4): "1"})
    assert long_name.status_code == 431 and "X-Nnnn" in long_name.get_json()["message"]


def test_a_line_within_the_limit_is_answered_as_usual(roles):
    response = roles["finance"].get("/api/v1/allocations?q=" + "x" * 100)
    assert response.status_code in (200, 422)


def test_an_over_long_page_address_is_the_error_page(app):
    response = app.test_client().get(f"/login?{LONG_QUERY}")
    assert response.status_code == 414 and response.mimetype == "text/html"
    assert "Địa chỉ quá dài" in response.get_data(as_text=True)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _raw(port, request: bytes) -> tuple[int, str, bytes]:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(request)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    content_type = next((line.split(b":", 1)[1].strip().decode() for line in head.split(b"\r\n")
                         if line.lower().startswith(b"content-type:")), "")
    return status, content_type, body


@pytest.fixture
def gunicorn(app, tmp_path):
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": app.config["TEST_DB_URL"], "APP_CONFIG": "development",
           "HUEY_SQLITE": str(tmp_path / "huey.db")}
    process = subprocess.Popen([sys.executable, "-m", "gunicorn", "--workers", "1", "--bind", f"127.0.0.1:{port}",
                                "wsgi:app"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if _raw(port, b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")[0] == 200:
                break
        except OSError:
            time.sleep(0.2)
    else:
        process.kill()
        pytest.fail(process.stderr.read().decode()[-2000:])
    yield port
    process.terminate()
    process.wait(10)


def test_gunicorn_lets_an_over_long_line_and_header_reach_the_app(gunicorn):
    line = f"GET /api/v1/allocations?{'q=' + 'x' * 20_000} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    status, content_type, body = _raw(gunicorn, line.encode())
    assert (status, content_type) == (414, "application/json")
    assert json.loads(body)["error"] == "uri_too_long"
    header = f"GET /api/v1/allocations HTTP/1.1\r\nHost: x\r\nX-Big: {'y' * 20_000}\r\nConnection: close\r\n\r\n"
    status, content_type, body = _raw(gunicorn, header.encode())
    assert (status, content_type) == (431, "application/json")
    assert json.loads(body)["error"] == "request_header_fields_too_large"
