"""Documents over the API: downloading one, whatever record it belongs to, and the list and upload
routes every owner type gets from `add_document_routes` (the owner registry decides who may)."""
from flask_smorest.fields import Upload
from marshmallow import Schema, fields

from app.core.api import Blueprint, PageArgs, UtcDateTime, api_actor, list_schema, loads, paginate
from app.core.documents import attach_document, attachment_response, documents_query, readable_document
from app.core.registry import registry


class UploadSchema(Schema):
    """The multipart body of every upload endpoint."""

    file = Upload(required=True, error_messages={"required": "Cần chọn tệp (trường `file`)."})


class DocumentOut(Schema):
    id = fields.Integer()
    original_name = fields.String()
    size = fields.Integer()
    content_type = fields.String()
    sha256 = fields.String()
    uploaded_at = UtcDateTime()
    uploaded_by = fields.Function(lambda d: d.uploaded_by.username)


blp = Blueprint("documents_api", __name__, url_prefix="/api/v1/documents",
                description="Tải tài liệu đính kèm")


@blp.route("/<int:document_id>", methods=["GET"])
@blp.response(200, description="Nội dung tệp, tải về dạng đính kèm.",
              content_type="application/octet-stream")
@blp.errors(403, 404)
def download_document(document_id):
    """Tải một tài liệu đính kèm."""
    return attachment_response(readable_document(api_actor(), document_id))


def add_document_routes(owner_blp, owner_type: str, id_arg: str, *, owns, list_summary: str,
                        upload_summary: str, conflicts: tuple = ()):
    """`GET` and `POST <id>/documents` on an owner's blueprint: `list_<type>_documents` reads what
    the owner type's `load` lets the actor see; `upload_<type>_document` loads the record with
    `owns(actor, id)` (which refuses one the actor does not own) before the body is read, then
    applies the owner type's attach rule to that record (`attach_document`)."""
    def list_documents(args, **path):
        record = registry().document_owners[owner_type].load(api_actor(), path[id_arg])
        return paginate(documents_query(owner_type, record.id), args)

    def upload_document(files, record):
        return attach_document(api_actor(), owner_type, record, files["file"])

    for view, name, summary in ((list_documents, f"list_{owner_type}_documents", list_summary),
                                (upload_document, f"upload_{owner_type}_document", upload_summary)):
        view.__name__, view.__qualname__, view.__doc__ = name, name, summary
    rule = f"/<int:{id_arg}>/documents"
    owner_blp.route(rule, methods=["GET"])(
        owner_blp.arguments(PageArgs, location="query")(
            owner_blp.response(200, list_schema(DocumentOut))(
                owner_blp.errors(403, 404, 422)(list_documents))))
    owner_blp.route(rule, methods=["POST"])(
        loads("record", lambda actor, **path: owns(actor, path[id_arg]))(
            owner_blp.arguments(UploadSchema, location="files")(
                owner_blp.response(201, DocumentOut)(
                    owner_blp.errors(403, 404, 413, 422, conflicts=conflicts)(upload_document)))))
