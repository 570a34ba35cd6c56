"""Documents attached to funding requests: checked by content, stored apart, downloaded by those who may."""
import hashlib
import io

import pytest

from app.core.exceptions import RuleViolation
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


# --- no file without its record (issue 23 item 2) ------------------------------------------------

def _folder_files(app):
    import os
    folder = app.config["UPLOAD_FOLDER"]
    return set(os.listdir(folder)) if os.path.isdir(folder) else set()


def _document_count(app):
    from app.core.documents import Document
    from app.extensions import db
    with app.app_context():
        count = db.session.execute(db.select(db.func.count()).select_from(Document)).scalar_one()
        db.session.remove()
    return count


def _raise_after_saving(monkeypatch, error):
    """The upload route's step after `save_document` (which wrote the file) raises `error`."""
    import app.core.documents_api as documents_api
    real = documents_api.attach_document

    def attach_then_fail(*args, **kwargs):
        document = real(*args, **kwargs)
        assert document.id is not None  # the file was written and its row flushed
        raise error

    monkeypatch.setattr(documents_api, "attach_document", attach_then_fail)


def _commit_fails(monkeypatch):
    import sqlalchemy as sa

    from app.extensions import db

    def failing_commit():
        raise sa.exc.OperationalError("COMMIT", {}, Exception("disk I/O error"))

    monkeypatch.setattr(db.session, "commit", failing_commit)


@pytest.mark.parametrize("failure,status", [
    (lambda mp: _raise_after_saving(mp, RuntimeError("a later step broke")), 500),
    (lambda mp: _raise_after_saving(mp, RuleViolation("Một kiểm tra sau đó từ chối.")), 409),
    (_commit_fails, 500),
], ids=["exception", "later_check", "commit"])
def test_a_rolled_back_upload_leaves_no_file_and_no_row(app, roles, owned_request, monkeypatch, failure, status):
    before_files, before_rows = _folder_files(app), _document_count(app)
    before_audit = support.audit_total(roles["finance"])
    with monkeypatch.context() as patch:
        failure(patch)
        r = support.upload(roles["unit"], owned_request["id"])
    assert r.status_code == status, r.get_json()
    assert _folder_files(app) == before_files
    assert _document_count(app) == before_rows
    assert support.audit_total(roles["finance"]) == before_audit
    # and the next upload works as before
    assert support.upload(roles["unit"], owned_request["id"]).status_code == 201


def test_a_committed_upload_has_its_final_name_and_no_temporary_file(app, roles, owned_request):
    import os

    from app.core.documents import Document
    from app.extensions import db
    before = _folder_files(app)
    doc = support.ok(support.upload(roles["unit"], owned_request["id"]), 201)
    with app.app_context():
        storage_name = db.session.get(Document, doc["id"]).storage_name
        db.session.remove()
    assert _folder_files(app) - before == {storage_name}
    with open(os.path.join(app.config["UPLOAD_FOLDER"], storage_name), "rb") as stored:
        assert stored.read() == support.PDF_BYTES
    assert roles["unit"].get(f"/api/v1/documents/{doc['id']}").data == support.PDF_BYTES


def test_an_upload_in_a_savepoint_rolled_back_leaves_no_file(app, roles, owned_request):
    import io

    from app.auth.models import User
    from app.core.documents import save_document
    from app.extensions import db
    before = _folder_files(app)
    with app.app_context():
        actor = db.session.execute(db.select(User).filter_by(username="donvi")).scalar_one()
        savepoint = db.session.begin_nested()
        save_document(actor, "request", owned_request["id"], filename="a.pdf", stream=io.BytesIO(support.PDF_BYTES))
        savepoint.rollback()
        kept = save_document(actor, "request", owned_request["id"], filename="b.pdf",
                             stream=io.BytesIO(support.PDF_BYTES))
        db.session.commit()
        names = {kept.storage_name}
        db.session.remove()
    assert _folder_files(app) - before == names


def test_prune_removes_stray_and_stale_temporary_files_and_keeps_every_named_one(app, roles, owned_request,
                                                                                  monkeypatch, tmp_path):
    import os
    import time

    from app.core.documents import Document
    from app.extensions import db
    # a folder of its own: the shared one holds the files of earlier tests, whose rows the reset took
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(tmp_path / "uploads"))
    for name in ("a.pdf", "b.pdf"):
        support.ok(support.upload(roles["unit"], owned_request["id"], filename=name), 201)
    with app.app_context():
        named = set(db.session.execute(db.select(Document.storage_name)).scalars())
        db.session.remove()
    folder = app.config["UPLOAD_FOLDER"]
    stray, stale, fresh = "0" * 32 + ".pdf", "1" * 32 + ".pdf.part", "2" * 32 + ".pdf.part"
    for name in (stray, stale, fresh):
        with open(os.path.join(folder, name), "wb") as out:
            out.write(support.PDF_BYTES)
    two_hours_ago = time.time() - 7200
    os.utime(os.path.join(folder, stale), (two_hours_ago, two_hours_ago))
    dry = app.test_cli_runner().invoke(args=["prune", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "Sẽ xoá 1 tệp tải lên không thuộc tài liệu nào, 1 tệp tạm cũ hơn 1 giờ" in dry.output, dry.output
    assert stray in dry.output and stale in dry.output and fresh not in dry.output
    assert not any(name in dry.output for name in named)
    assert {stray, stale, fresh} | named <= _folder_files(app)

    result = app.test_cli_runner().invoke(args=["prune"])
    assert result.exit_code == 0, result.output
    assert "Đã xoá 1 tệp tải lên không thuộc tài liệu nào, 1 tệp tạm" in result.output, result.output
    assert stray in result.output and stale in result.output
    left = _folder_files(app)
    assert named | {fresh} <= left and not {stray, stale} & left
    for document in support.get(roles["unit"], f"/api/v1/requests/{owned_request['id']}/documents")["items"]:
        assert roles["unit"].get(f"/api/v1/documents/{document['id']}").data == support.PDF_BYTES

    again = app.test_cli_runner().invoke(args=["prune"])
    assert "Đã xoá 0 tệp tải lên" in again.output, again.output
