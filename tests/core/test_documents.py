"""Documents attached to funding requests: checked by content, stored apart, downloaded by those who may."""
import hashlib
import io

import pytest

from tests import support

PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
HTML_BYTES = b"<!doctype html><html><body><script>alert(1)</script></body></html>"


@pytest.fixture
def owned_request(roles):
    """Submitted, so finance and auditors read its documents (a draft's are the unit's own)."""
    return support.submitted_request(roles["unit"])


def test_pdf_upload_list_and_download(roles, owned_request):
    unit = roles["unit"]
    before = support.audit_total(roles["finance"])
    r = support.upload(unit, owned_request["id"], filename="Biên bản nghiệm thu.pdf")
    assert r.status_code == 201, r.get_json()
    doc = r.get_json()
    assert doc["original_name"] == "Biên bản nghiệm thu.pdf" and doc["content_type"] == "application/pdf"
    assert doc["size"] == len(support.PDF_BYTES) and doc["sha256"] == hashlib.sha256(support.PDF_BYTES).hexdigest()
    assert doc["uploaded_by"] == "donvi"
    assert support.audit_total(roles["finance"]) == before + 1

    listed = support.get(unit, f"/api/v1/requests/{owned_request['id']}/documents")
    assert listed["total"] == 1 and listed["items"][0]["id"] == doc["id"]

    for reader in ("unit", "finance", "auditor"):
        download = roles[reader].get(f"/api/v1/documents/{doc['id']}")
        assert download.status_code == 200, reader
        assert download.data == support.PDF_BYTES
        assert download.headers["Content-Type"] == "application/pdf"
        assert "no-store" in download.headers["Cache-Control"]
        disposition = download.headers["Content-Disposition"]
        assert disposition.startswith("attachment")
        assert "filename*=UTF-8''Bi%C3%AAn%20b%E1%BA%A3n%20nghi%E1%BB%87m%20thu.pdf" in disposition


def test_png_is_accepted_and_the_stored_name_is_the_servers(app, roles, owned_request):
    import os
    r = support.upload(roles["unit"], owned_request["id"], PNG_BYTES, "../../etc/anh chup.png")
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["original_name"] == "anh chup.png"
    stored = os.listdir(app.config["UPLOAD_FOLDER"])
    assert "anh chup.png" not in stored and all(len(name.split(".")[0]) == 32 for name in stored)


@pytest.mark.parametrize("data,filename", [
    (HTML_BYTES, "bao-cao.pdf"),  # HTML renamed .pdf
    (support.PDF_BYTES, "bao-cao.html"),  # a type that is never accepted
    (support.PDF_BYTES, "bao-cao.exe"),
    (PNG_BYTES, "anh.pdf"),
    (b"", "rong.pdf"),
    (support.PDF_BYTES, "khong-duoi"),
])
def test_bad_files_are_refused_and_nothing_is_kept(app, roles, owned_request, data, filename):
    import os
    folder = app.config["UPLOAD_FOLDER"]
    before_files = set(os.listdir(folder)) if os.path.isdir(folder) else set()
    before = support.audit_total(roles["finance"])
    r = support.upload(roles["unit"], owned_request["id"], data, filename)
    assert r.status_code == 422, r.get_json()
    assert r.get_json()["error"] == "validation_error" and "file" in r.get_json()["details"]
    assert support.get(roles["unit"], f"/api/v1/requests/{owned_request['id']}/documents")["total"] == 0
    assert support.audit_total(roles["finance"]) == before
    after_files = set(os.listdir(folder)) if os.path.isdir(folder) else set()
    assert after_files == before_files


def test_upload_without_file_field(roles, owned_request):
    unit = roles["unit"]
    path = f"/api/v1/requests/{owned_request['id']}/documents"
    r = unit.post(path, data={"note": "không có tệp"}, content_type="multipart/form-data")
    assert r.status_code == 422 and "file" in r.get_json()["details"]
    r = unit.post(path, data={"other": (io.BytesIO(support.PDF_BYTES), "a.pdf")}, content_type="multipart/form-data")
    assert r.status_code == 422 and "file" in r.get_json()["details"]
    r = unit.post(path, json={"file": "JVBERi0="})
    assert r.status_code == 422 and "file" in r.get_json()["details"]


@pytest.fixture
def small_upload_limit(app, monkeypatch):
    """A 1 MB limit keeps the test fast; monkeypatch restores the real settings."""
    monkeypatch.setitem(app.config, "MAX_UPLOAD_MB", 1)
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1 * 1024 * 1024 + 64 * 1024)


def test_oversize_file_is_413_with_the_contract_body(app, roles, owned_request, small_upload_limit):
    before = support.audit_total(roles["finance"])
    # Just above the file limit but inside the request limit: refused while streaming.
    r = support.upload(roles["unit"], owned_request["id"], support.PDF_BYTES + b"0" * (1024 * 1024))
    assert r.status_code == 413, r.get_json()
    assert r.get_json()["error"] == "payload_too_large" and r.get_json()["message"]
    assert set(r.get_json()) == {"error", "message", "details"}
    # Far above: refused by the request size limit before the form is read.
    r = support.upload(roles["unit"], owned_request["id"], support.PDF_BYTES + b"0" * (2 * 1024 * 1024))
    assert r.status_code == 413 and r.get_json()["error"] == "payload_too_large"
    assert support.get(roles["unit"], f"/api/v1/requests/{owned_request['id']}/documents")["total"] == 0
    assert support.audit_total(roles["finance"]) == before
    # Exactly at the limit is fine.
    exact = support.PDF_BYTES + b"0" * (1024 * 1024 - len(support.PDF_BYTES))
    assert support.upload(roles["unit"], owned_request["id"], exact).status_code == 201


def test_default_limit_is_20_mb(app):
    assert app.config["MAX_UPLOAD_MB"] == 20
    assert app.config["MAX_CONTENT_LENGTH"] > 20 * 1024 * 1024


def test_other_units_and_admins_cannot_reach_documents(roles, owned_request):
    doc = support.ok(support.upload(roles["unit"], owned_request["id"]), 201)
    for outsider in ("other_unit", "dic"):
        assert roles[outsider].get(f"/api/v1/documents/{doc['id']}").status_code == 404
        assert roles[outsider].get(f"/api/v1/requests/{owned_request['id']}/documents").status_code == 404
        r = support.upload(roles[outsider], owned_request["id"])
        assert r.status_code == 404 and r.get_json()["error"] == "not_found"
    assert roles["admin"].get(f"/api/v1/documents/{doc['id']}").status_code == 403
    assert roles["anonymous"].get(f"/api/v1/documents/{doc['id']}").status_code == 401
    assert roles["finance"].get("/api/v1/documents/999999").status_code == 404
    for writer in ("finance", "auditor", "admin"):
        assert support.upload(roles[writer], owned_request["id"]).status_code == 403
    assert support.get(roles["unit"], f"/api/v1/requests/{owned_request['id']}/documents")["total"] == 1


@pytest.mark.parametrize("action", ["reject", "withdraw"])
def test_a_closed_request_takes_no_more_documents(roles, action):
    unit, finance = roles["unit"], roles["finance"]
    record = support.submitted_request(unit)
    client, body = (finance, {"reason": "Không thuộc phạm vi hỗ trợ"}) if action == "reject" else (unit, None)
    support.ok(client.post(f"/api/v1/requests/{record['id']}/{action}", json=body), 200)
    before = support.audit_total(finance)
    r = support.upload(unit, record["id"])
    assert r.status_code == 409 and r.get_json()["error"] == "invalid_transition"
    assert "file" in r.get_json()["details"]
    assert support.list_total(unit, f"/api/v1/requests/{record['id']}/documents") == 0
    assert support.audit_total(finance) == before
