"""Vietnamese wording for marshmallow's built-in validation messages (API and forms alike)."""
from marshmallow import Schema, fields

MESSAGES = {
    fields.Field: {"required": "Trường này là bắt buộc.", "null": "Không được để trống (null).",
                   "validator_failed": "Giá trị không hợp lệ."},
    fields.String: {"invalid": "Phải là chuỗi ký tự.", "invalid_utf8": "Chuỗi UTF-8 không hợp lệ."},
    fields.Integer: {"invalid": "Phải là số nguyên."},
    fields.Number: {"invalid": "Phải là số.", "too_large": "Số quá lớn."},
    fields.Boolean: {"invalid": "Phải là true hoặc false."},
    fields.Date: {"invalid": "Ngày không hợp lệ (định dạng YYYY-MM-DD).",
                  "format": "Ngày không hợp lệ (định dạng YYYY-MM-DD)."},
    fields.DateTime: {"invalid": "Thời điểm không hợp lệ (ISO 8601)."},
    fields.List: {"invalid": "Phải là một danh sách."},
    fields.Nested: {"type": "Phải là một đối tượng."},
    fields.Email: {"invalid": "Địa chỉ email không hợp lệ."},
}
SCHEMA_MESSAGES = {"type": "Dữ liệu phải là một đối tượng JSON.", "unknown": "Trường không được chấp nhận."}


def install():
    for field_class, messages in MESSAGES.items():
        field_class.default_error_messages = {**field_class.default_error_messages, **messages}
    Schema._default_error_messages = {**Schema._default_error_messages, **SCHEMA_MESSAGES}
