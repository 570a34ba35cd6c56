"""Vietnamese wording for marshmallow's built-in validation messages (API and forms alike), each a
`Message` that pages show in the reader's language through the catalogue (app.core.i18n)."""
from marshmallow import Schema, fields, validate

from app.core.i18n import N_, Message

MESSAGES = {
    fields.Field: {"required": N_("Trường này là bắt buộc."), "null": N_("Không được để trống (null)."),
                   "validator_failed": N_("Giá trị không hợp lệ.")},
    fields.String: {"invalid": N_("Phải là chữ (một chuỗi ký tự)."), "invalid_utf8": N_("Chuỗi UTF-8 không hợp lệ.")},
    fields.Integer: {"invalid": N_("Phải là số nguyên.")},
    fields.Number: {"invalid": N_("Phải là số."), "too_large": N_("Số quá lớn.")},
    fields.Boolean: {"invalid": N_("Phải là true hoặc false.")},
    fields.Date: {"invalid": N_("Ngày không hợp lệ (định dạng YYYY-MM-DD)."),
                  "format": N_("Ngày không hợp lệ (định dạng YYYY-MM-DD)."),
                  "invalid_awareness": N_("Ngày không hợp lệ (định dạng YYYY-MM-DD).")},
    fields.List: {"invalid": N_("Phải là một danh sách.")},
    fields.Nested: {"type": N_("Phải là một đối tượng.")},
    fields.Email: {"invalid": N_("Địa chỉ email không hợp lệ.")},
    fields.Url: {"invalid": N_("Địa chỉ web không hợp lệ (bắt đầu bằng http:// hoặc https://).")},
    # the rarer ones, so that no English default reaches a page (none of them is asked for today)
    fields.Float: {"special": N_("Không chấp nhận giá trị số đặc biệt (nan, vô cực).")},
    fields.Decimal: {"special": N_("Không chấp nhận giá trị số đặc biệt (nan, vô cực).")},
    fields.Mapping: {"invalid": N_("Phải là một bảng khóa – giá trị.")},
    fields.Enum: {"unknown": N_("Chọn một trong: {choices}.")},
    fields.DateTime: {"invalid": N_("Thời điểm không hợp lệ (ISO 8601)."),
                      "invalid_awareness": N_("Thời điểm không hợp lệ (thiếu hoặc thừa múi giờ)."),
                      "format": N_("Thời điểm không hợp lệ (ISO 8601).")},
    fields.Time: {"invalid": N_("Giờ không hợp lệ (định dạng HH:MM)."),
                  "invalid_awareness": N_("Giờ không hợp lệ (thiếu hoặc thừa múi giờ)."),
                  "format": N_("Giờ không hợp lệ (định dạng HH:MM).")},
    fields.TimeDelta: {"invalid": N_("Khoảng thời gian không hợp lệ."), "format": N_("Khoảng thời gian không hợp lệ.")},
    fields.Tuple: {"invalid": N_("Phải là một danh sách.")},
    fields.UUID: {"invalid_uuid": N_("Mã UUID không hợp lệ.")},
}
# The validators' own wording (Range, Length, OneOf…), as class attributes they format at use.
VALIDATOR_MESSAGES = {
    validate.Range: {"message_min": N_("Phải {min_op} {{min}}."), "message_max": N_("Phải {max_op} {{max}}."),
                     "message_all": N_("Phải {min_op} {{min}} và {max_op} {{max}}."),
                     "message_gte": N_("lớn hơn hoặc bằng"), "message_gt": N_("lớn hơn"),
                     "message_lte": N_("nhỏ hơn hoặc bằng"), "message_lt": N_("nhỏ hơn")},
    validate.Length: {"message_min": N_("Cần ít nhất {min} ký tự (hoặc phần tử)."),
                      "message_max": N_("Dài quá: tối đa {max} ký tự (hoặc phần tử)."),
                      "message_all": N_("Cần từ {min} đến {max} ký tự (hoặc phần tử)."),
                      "message_equal": N_("Cần đúng {equal} ký tự (hoặc phần tử).")},
    validate.OneOf: {"default_message": N_("Chọn một trong: {choices}.")},
    validate.Regexp: {"default_message": N_("Không đúng định dạng.")},
    validate.Email: {"default_message": N_("Địa chỉ email không hợp lệ.")},
    validate.URL: {"default_message": N_("Địa chỉ web không hợp lệ (bắt đầu bằng http:// hoặc https://).")},
    validate.Equal: {"default_message": N_("Phải bằng {other}.")},
    validate.NoneOf: {"default_message": N_("Giá trị không được chấp nhận.")},
    validate.ContainsOnly: {"default_message": N_("Có lựa chọn không nằm trong: {choices}.")},
    validate.ContainsNoneOf: {"default_message": N_("Có lựa chọn không được chấp nhận: {values}.")},
    validate.Predicate: {"default_message": N_("Giá trị không hợp lệ.")},
}
SCHEMA_MESSAGES = {"type": N_("Dữ liệu phải là một đối tượng JSON."), "unknown": N_("Trường không được chấp nhận.")}


# Fixed messages defined where they are not marked for extraction (the kernel's number and text
# fields, the domains' date labels that app.core.dates formats into its messages): written here once
# more so `make catalogue` keeps their English. tests/core/test_form_inputs.py checks they match.
CATALOGUED_ELSEWHERE = (
    N_("Phải là một số nguyên, không có phần lẻ (ví dụ 12)."),
    N_("Số tiền phải là một số nguyên đồng, không có phần lẻ (ví dụ 1.250.000)."),
    N_("Số tiền phải từ 1 đến 1.000.000.000.000.000 đồng."),
    N_("Số tiền phải từ 0 đến 1.000.000.000.000.000 đồng."),
    N_("Số tiền phải từ -1.000.000.000.000.000 đến 1.000.000.000.000.000 đồng."),
    N_("Số tiền điều chỉnh phải khác 0."),
    N_("Không được để trống hoặc chỉ gồm khoảng trắng."),
    N_("Không được chứa ký tự điều khiển."),
    N_("Không được xuống dòng hoặc chứa ký tự điều khiển."),
    N_("Không được chứa ký tự đảo chiều văn bản (U+202A–U+202E, U+2066–U+2069)."),
    N_("Ngày chi"), N_("Ngày hóa đơn"), N_("ngày ký hợp đồng"), N_("Ngày quyết định phê duyệt đơn giá"),
    N_("Ngày ký hợp đồng"), N_("Ngày thanh lý hợp đồng"), N_("Ngày thanh lý"), N_("Ngày giao sản phẩm"),
    N_("Ngày giao"), N_("Ngày nghiệm thu"),
)


def _messages(texts: dict) -> dict:
    return {name: Message(text) for name, text in texts.items()}


def install():
    for field_class, messages in MESSAGES.items():
        field_class.default_error_messages = {**field_class.default_error_messages, **_messages(messages)}
    Schema._default_error_messages = {**Schema._default_error_messages, **_messages(SCHEMA_MESSAGES)}
    for validator, messages in VALIDATOR_MESSAGES.items():
        for name, text in messages.items():
            setattr(validator, name, Message(text))
