"""Uploaded documents, shared by every record that can carry evidence.

Files are checked by their leading bytes as well as their extension, stored under a name the
server makes, outside `static`, with size and sha256 recorded. Which records carry documents, and
who may read and add them, is each domain's to say: the owner types its `init_app` registers
(`Registry.add_document_owner`); the kernel names none.

A file is written under a temporary name (`<name>.part`) in the upload folder and takes its final
name only once the transaction that records it commits; a rollback (a later check fails, the commit
fails, any exception) removes it, so no file is left without its record. `flask prune` removes what a
crash between the two could still leave (`prune_files`).
"""
import hashlib
import logging
import os
import secrets
import time

import sqlalchemy as sa
from flask import send_file
from sqlalchemy.orm import joinedload

from app.core import audit
from app.core.exceptions import DomainError, NotFound, ValidationFailed
from app.core.lists import ListQuery
from app.core.models import Described
from app.core.registry import registry
from app.core.settings import setting
from app.core.timeutil import utcnow
from app.extensions import db

log = logging.getLogger(__name__)

TEMP_SUFFIX = ".part"
TEMP_MAX_AGE_SECONDS = 3600  # a temporary file older than this belongs to no request still running
_PENDING = "pending_uploads"  # Session.info key: [(document, temporary path, final path)]

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .doc/.xls
ALLOWED = {
    # extension: (content type, accepted leading bytes)
    "pdf": ("application/pdf", (b"%PDF-",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (ZIP_MAGIC,)),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (ZIP_MAGIC,)),
    "pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", (ZIP_MAGIC,)),
    "odt": ("application/vnd.oasis.opendocument.text", (ZIP_MAGIC,)),
    "ods": ("application/vnd.oasis.opendocument.spreadsheet", (ZIP_MAGIC,)),
    "doc": ("application/msword", (OLE_MAGIC,)),
    "xls": ("application/vnd.ms-excel", (OLE_MAGIC,)),
}


class FileTooLarge(DomainError):
    """An upload above the size limit answers 413 (DESIGN §6), not a validation error."""

    status, code = 413, "payload_too_large"


class UploadQuotaExceeded(DomainError):
    """The unit's documents would take more than UNIT_UPLOAD_QUOTA_BYTES: a rule about the unit's
    state, not about this file alone (409)."""

    status, code = 409, "upload_quota_exceeded"


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):,.1f} MB".replace(",", " ")


def _quota_room(unit_id: int | None) -> tuple[int, int] | None:
    """(bytes the unit's documents use, its quota), with the unit's row locked until the request
    ends so that two uploads of one unit cannot both take the last room; None without a quota."""
    quota = int(setting("UNIT_UPLOAD_QUOTA_BYTES") or 0)
    if not quota or unit_id is None:
        return None
    from app.core.database import lock_for_update
    from app.units.models import Unit
    db.session.execute(lock_for_update(sa.select(Unit.id).where(Unit.id == unit_id)))
    used = db.session.execute(sa.select(sa.func.coalesce(sa.func.sum(Document.size), 0))
                              .where(Document.unit_id == unit_id)).scalar_one()
    return int(used), quota


def _over_quota(used: int, quota: int, size: int) -> UploadQuotaExceeded:
    message = (f"Đơn vị đã dùng {_megabytes(used)} trong hạn mức {_megabytes(quota)} dành cho tài liệu; "
               f"tệp này (từ {_megabytes(size)}) vượt phần còn lại ({_megabytes(max(0, quota - used))}). "
               "Liên hệ quản trị viên để nâng hạn mức (UNIT_UPLOAD_QUOTA_BYTES).")
    return UploadQuotaExceeded(message, {"file": [message]})


class Document(Described, db.Model):
    __tablename__ = "documents"
    __described_by__ = ("id", "owner_type", "owner_id", "original_name")

    id = db.Column(db.Integer, primary_key=True)
    owner_type = db.Column(db.String(20), nullable=False)
    owner_id = db.Column(db.Integer, nullable=False)
    original_name = db.Column(db.String(255), nullable=False)
    storage_name = db.Column(db.String(80), nullable=False, unique=True)
    size = db.Column(db.BigInteger, nullable=False)
    content_type = db.Column(db.String(120), nullable=False)
    sha256 = db.Column(db.String(64), nullable=False)
    uploaded_by_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False)
    uploaded_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    # The unit whose storage quota the file counts against (the uploader's, who acts for its owner).
    unit_id = db.Column(db.Integer, db.ForeignKey("units.id"), nullable=True, index=True)

    uploaded_by = db.relationship("User", lazy="joined")

    __table_args__ = (
        db.Index("ix_documents_owner", "owner_type", "owner_id"),
        db.CheckConstraint("size >= 0", name="size_not_negative"),
    )


def _extension(filename: str) -> str:
    return filename.rsplit(".", 1)[-1].lower() if "." in filename else ""


def _clean_name(filename: str) -> str:
    name = os.path.basename(filename.replace("\\", "/")).strip()
    name = "".join(ch for ch in name if ch.isprintable())
    return name[:255] or "tai-lieu"


def save_document(actor, owner_type: str, owner_id: int, *, filename: str, stream) -> Document:
    """Check, store and record one upload; the caller has checked the actor may write the owner.
    Refuses (422) an owner type no domain registered, a file of a kind not allowed, an empty file or
    one whose leading bytes are not its kind's; 413 above `MAX_UPLOAD_MB`."""
    upload_folder = setting("UPLOAD_FOLDER")
    max_bytes = int(setting("MAX_UPLOAD_MB")) * 1024 * 1024
    if owner_type not in registry().document_owners:
        raise ValidationFailed.field("owner_type", "Loại hồ sơ không hợp lệ.")
    name = _clean_name(filename or "")
    ext = _extension(name)
    if ext not in ALLOWED:
        raise ValidationFailed.field(
            "file", "Chỉ nhận PDF, ảnh (PNG, JPEG) và tệp văn phòng (DOCX, XLSX, PPTX, ODT, ODS, DOC, XLS).")
    content_type, magics = ALLOWED[ext]
    unit_id = getattr(actor, "unit_id", None)  # only the owner unit's officers attach documents
    room = _quota_room(unit_id)
    if room is not None and room[0] >= room[1]:
        raise _over_quota(*room, 1)
    os.makedirs(upload_folder, exist_ok=True)
    storage_name = secrets.token_hex(16) + "." + ext
    final_path = os.path.join(upload_folder, storage_name)
    path = final_path + TEMP_SUFFIX
    digest, size, head = hashlib.sha256(), 0, b""
    try:
        with open(path, "wb") as out:
            while chunk := stream.read(1024 * 1024):
                if len(head) < 16:
                    head += chunk[: 16 - len(head)]
                size += len(chunk)
                if size > max_bytes:
                    limit = (f"{max_bytes // (1024 * 1024)} MB" if max_bytes >= 1024 * 1024
                             else f"{max_bytes} byte")
                    raise FileTooLarge(f"Tệp vượt giới hạn {limit}.", {"file": [f"Tối đa {limit}."]})
                if room is not None and room[0] + size > room[1]:
                    raise _over_quota(*room, size)
                digest.update(chunk)
                out.write(chunk)
        if size == 0:
            raise ValidationFailed.field("file", "Tệp rỗng.")
        if not any(head.startswith(m) for m in magics):
            raise ValidationFailed.field(
                "file", f"Nội dung tệp không phải {ext.upper()} (kiểm tra theo chữ ký đầu tệp).")
    except BaseException:
        if os.path.exists(path):
            os.remove(path)
        raise
    document = Document(owner_type=owner_type, owner_id=owner_id, original_name=name,
                        storage_name=storage_name, size=size, content_type=content_type,
                        sha256=digest.hexdigest(), uploaded_by_id=actor.id, unit_id=unit_id)
    # From here on the transaction owns the file: it takes its name on commit, or goes on rollback.
    db.session.info.setdefault(_PENDING, []).append((document, path, final_path))
    db.session.add(document)
    db.session.flush()
    audit.record(actor, "document.upload", owner_type, owner_id,
                 {"document_id": document.id, "name": name, "size": size, "sha256": document.sha256})
    return document


def _remove_quietly(path: str):
    try:
        os.remove(path)
    except FileNotFoundError:
        pass
    except OSError:
        log.exception("could not remove the temporary upload %s", os.path.basename(path))


@sa.event.listens_for(db.session, "after_commit")
def _name_committed_uploads(session):
    """The outermost transaction committed: every upload whose row it kept takes its final name (a
    row added in a savepoint that was rolled back is no longer persistent: its file stays pending
    and goes when the transaction ends)."""
    if session.get_nested_transaction() is not None or not session.info.get(_PENDING):
        return  # a savepoint released: the outer transaction may still roll back
    kept = []
    for document, path, final_path in session.info.pop(_PENDING):
        if not sa.inspect(document).persistent:
            kept.append((document, path, final_path))
            continue
        try:
            os.replace(path, final_path)
        except OSError:
            log.exception("could not name the upload of document %s", document.id)
    if kept:
        session.info[_PENDING] = kept


@sa.event.listens_for(db.session, "after_transaction_end")
def _remove_uncommitted_uploads(session, transaction):
    """The outermost transaction ended without committing them (rolled back, closed): the files go."""
    if transaction.parent is not None:
        return
    for _document, path, _final in session.info.pop(_PENDING, ()):
        _remove_quietly(path)


def prune_files(*, dry_run: bool = False) -> dict:
    """Files in the upload folder that no document names, and temporary files older than an hour
    (a process that died between writing and committing): removed unless `dry_run`. Returns
    `{"stray": [names], "temporary": [names]}`, sorted. The folder is listed before the names are
    read, so a file named by a commit that lands meanwhile is never taken for a stray one."""
    folder = setting("UPLOAD_FOLDER")
    try:
        entries = [entry for entry in os.scandir(folder) if entry.is_file(follow_symlinks=False)]
    except FileNotFoundError:
        entries = []
    named = set(db.session.execute(sa.select(Document.storage_name)).scalars())
    now = time.time()
    found = {"stray": [], "temporary": []}
    for entry in entries:
        if entry.name.endswith(TEMP_SUFFIX):
            if now - entry.stat(follow_symlinks=False).st_mtime > TEMP_MAX_AGE_SECONDS:
                found["temporary"].append(entry.name)
        elif entry.name not in named:
            found["stray"].append(entry.name)
    for names in found.values():
        names.sort()
        if not dry_run:
            for name in names:
                _remove_quietly(os.path.join(folder, name))
    return found


def _owner(owner_type: str):
    owner = registry().document_owners.get(owner_type)
    if owner is None:
        raise NotFound("Không tìm thấy tài liệu.")
    return owner


def readable_document(actor, document_id: int) -> Document:
    """A document whose owning record the actor may see (the owner type's own rule), else 404."""
    document = db.session.get(Document, document_id)
    if document is None:
        raise NotFound("Không tìm thấy tài liệu.")
    try:
        _owner(document.owner_type).load(actor, document.owner_id)
    except NotFound:
        raise NotFound("Không tìm thấy tài liệu.") from None
    return document


def attach_document(actor, owner_type: str, record, upload) -> Document:
    """Add `upload` to `record`, which the caller loaded as the actor sees it: the owner type's rule
    decides whether the actor may attach to it now (403, or 409 for a record closed to papers),
    then `save_document` checks and stores the file (422 without one)."""
    _owner(owner_type).check_attach(actor, record)
    if upload is None or not upload.filename:
        raise ValidationFailed.field("file", "Chọn một tệp để tải lên.")
    return save_document(actor, owner_type, record.id, filename=upload.filename, stream=upload.stream)


def documents_query(owner_type: str, owner_id: int) -> ListQuery:
    stmt = db.select(Document).filter_by(owner_type=owner_type, owner_id=owner_id)
    return ListQuery(stmt, order=(Document.id,), loads=(joinedload(Document.uploaded_by).lazyload("*"),))


def documents_of(owner_type: str, owner_id: int):
    return documents_query(owner_type, owner_id).rows()


def documents_by_owner(owners: dict[str, list[int]]) -> dict[tuple[str, int], list[Document]]:
    """The documents of several records, `{owner type: [ids]}`, in one statement:
    `{(owner type, id): [documents, oldest first]}` (a record with none is absent)."""
    named = [sa.and_(Document.owner_type == owner_type, Document.owner_id.in_(ids))
             for owner_type, ids in owners.items() if ids]
    found = {}
    if named:
        for document in db.session.execute(sa.select(Document).where(sa.or_(*named)).order_by(Document.id)).scalars():
            found.setdefault((document.owner_type, document.owner_id), []).append(document)
    return found


def attachment_response(document: Document):
    """The stored file as a download; never cached, since evidence may hold personal data."""
    path = os.path.join(setting("UPLOAD_FOLDER"), document.storage_name)
    if not os.path.isfile(path):
        raise NotFound("Tệp của tài liệu này không còn trên máy chủ.")
    response = send_file(path, mimetype=document.content_type, as_attachment=True,
                         download_name=document.original_name, conditional=False)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers.pop("Expires", None)
    return response
