"""Downloading a document, whatever record it belongs to (the owner type decides who may)."""
from flask_smorest.fields import Upload
from marshmallow import Schema

from app.core.api import Blueprint, api_actor
from app.core.documents import attachment_response, readable_document

class UploadSchema(Schema):
    """The multipart body of every upload endpoint."""

    file = Upload(required=True, error_messages={"required": "Cần chọn tệp (trường `file`)."})


blp = Blueprint("documents_api", __name__, url_prefix="/api/v1/documents",
                description="Tải tài liệu đính kèm")


@blp.route("/<int:document_id>", methods=["GET"])
@blp.response(200, description="Nội dung tệp, tải về dạng đính kèm.",
              content_type="application/octet-stream")
@blp.errors(403, 404)
def download_document(document_id):
    """Tải một tài liệu đính kèm."""
    return attachment_response(readable_document(api_actor(), document_id))
