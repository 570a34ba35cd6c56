"""Vietnamese wording for marshmallow's built-in validation messages (API and forms alike)."""
from marshmallow import Schema, fields, validate

MESSAGES = {
    fields.Field: {"required": "Trường này là bắt buộc.", "null": "Không được để trống (null).",
                   "validator_failed": "Giá trị không hợp lệ."},
    fields.String: {"invalid": "Phải là chữ (một chuỗi ký tự).", "invalid_utf8": "Chuỗi UTF-8 không hợp lệ."},
    fields.Integer: {"invalid": "Phải là số nguyên."},
    fields.Number: {"invalid": "Phải là số.", "too_large": "Số quá lớn."},
    fields.Boolean: {"invalid": "Phải là true hoặc false."},
    fields.Date: {"invalid": "Ngày không hợp lệ (định dạng YYYY-MM-DD).",
                  "format": "Ngày không hợp lệ (định dạng YYYY-MM-DD)."},
    fields.DateTime: {"invalid": "Thời điểm không hợp lệ (ISO 8601)."},
    fields.List: {"invalid": "Phải là một danh sách."},
    fields.Nested: {"type": "Phải là một đối tượng."},
    fields.Email: {"invalid": "Địa chỉ email không hợp lệ."},
    fields.Url: {"invalid": "Địa chỉ web không hợp lệ (bắt đầu bằng http:// hoặc https://)."},
}
# The validators' own wording (Range, Length, OneOf…), as class attributes they format at use.
VALIDATOR_MESSAGES = {
    validate.Range: {"message_min": "Phải {min_op} {{min}}.", "message_max": "Phải {max_op} {{max}}.",
                     "message_all": "Phải {min_op} {{min}} và {max_op} {{max}}.",
                     "message_gte": "lớn hơn hoặc bằng", "message_gt": "lớn hơn",
                     "message_lte": "nhỏ hơn hoặc bằng", "message_lt": "nhỏ hơn"},
    validate.Length: {"message_min": "Cần ít nhất {min} ký tự (hoặc phần tử).",
                      "message_max": "Dài quá: tối đa {max} ký tự (hoặc phần tử).",
                      "message_all": "Cần từ {min} đến {max} ký tự (hoặc phần tử).",
                      "message_equal": "Cần đúng {equal} ký tự (hoặc phần tử)."},
    validate.OneOf: {"default_message": "Chọn một trong: {choices}."},
    validate.Regexp: {"default_message": "Không đúng định dạng."},
    validate.Email: {"default_message": "Địa chỉ email không hợp lệ."},
    validate.URL: {"default_message": "Địa chỉ web không hợp lệ (bắt đầu bằng http:// hoặc https://)."},
    validate.Equal: {"default_message": "Phải bằng {other}."},
    validate.NoneOf: {"default_message": "Giá trị không được chấp nhận."},
    validate.ContainsOnly: {"default_message": "Có lựa chọn không nằm trong: {choices}."},
}
SCHEMA_MESSAGES = {"type": "Dữ liệu phải là một đối tượng JSON.", "unknown": "Trường không được chấp nhận."}


def install():
    for field_class, messages in MESSAGES.items():
        field_class.default_error_messages = {**field_class.default_error_messages, **messages}
    Schema._default_error_messages = {**Schema._default_error_messages, **SCHEMA_MESSAGES}
    for validator, messages in VALIDATOR_MESSAGES.items():
        for name, text in messages.items():
            setattr(validator, name, text)
