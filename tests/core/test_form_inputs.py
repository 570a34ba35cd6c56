"""Form inputs as people use them (issue 20 item 6): dates typed dd/mm/yyyy and read by the API's
parser, amounts shown with dots between thousands, required fields marked, and every validation
message written once in Vietnamese and shown in the reader's language through the catalogue."""
import copy
import pickle
import re
from datetime import date

import pytest
from babel.support import Translations
from marshmallow import Schema, ValidationError, fields, validate

from app.core import i18n, money, validation_messages
from app.core import text as text_field
from app.core.dates import NO_SUCH_DAY, NOT_A_DAY, NOT_AN_ISO_DAY, OUT_OF_RANGE, Day, parse_day, typed_day
from app.core.forms import load_form, typed_amount
from app.core.i18n import Message, error_text, error_texts
from app.core.money import Money
from tests import support
from tests.support import Browser, text


def messages_of(error: ValidationError) -> list[str]:
    return [str(m) for m in error.messages]


# ---- the parser ------------------------------------------------------------------------------

@pytest.mark.parametrize("typed,day", [
    ("05/02/2026", date(2026, 2, 5)), ("5/2/2026", date(2026, 2, 5)), ("05-02-2026", date(2026, 2, 5)),
    ("05.02.2026", date(2026, 2, 5)), ("2026-02-05", date(2026, 2, 5)), (" 31/12/2100 ", date(2100, 12, 31)),
    ("01/01/2000", date(2000, 1, 1)), ("29/02/2028", date(2028, 2, 29)), (date(2026, 2, 5), date(2026, 2, 5)),
])
def test_a_typed_date_is_read_day_first_or_iso(typed, day):
    assert parse_day(typed) == day


@pytest.mark.parametrize("typed,message", [
    ("31/02/2026", "Ngày không hợp lệ: tháng 02/2026 không có ngày 31 (chỉ có 28 ngày)."),
    ("29/02/2027", "Ngày không hợp lệ: tháng 02/2027 không có ngày 29 (chỉ có 28 ngày)."),
    ("2026-13-01", "Ngày không hợp lệ: không có tháng 13 (tháng từ 1 đến 12)."),
    ("00/01/2026", "Ngày không hợp lệ: tháng 01/2026 không có ngày 00 (chỉ có 31 ngày)."),
    ("", NOT_A_DAY), ("   ", NOT_A_DAY), ("hôm qua", NOT_A_DAY), ("05/02/26", NOT_A_DAY),
    ("05/02/99999", NOT_A_DAY), ("05/02/2026/1", NOT_A_DAY), ("05/02-2026", NOT_A_DAY),
    ("０５/02/2026", NOT_A_DAY), ("5" * 5000, NOT_A_DAY), ("2026-2-5", NOT_A_DAY), (None, NOT_A_DAY),
    (20260205, NOT_A_DAY),
    ("01/01/1999", OUT_OF_RANGE), ("9999-12-31", OUT_OF_RANGE), ("0000-01-01", OUT_OF_RANGE),
    ("31/12/9999", OUT_OF_RANGE), (date(1, 1, 1), OUT_OF_RANGE),
])
def test_a_date_that_is_not_a_day_is_refused_with_what_is_wrong(typed, message):
    with pytest.raises(ValidationError) as refused:
        parse_day(typed)
    assert messages_of(refused.value) == [message]


def test_the_api_reads_iso_only_and_says_so():
    class Body(Schema):
        day = Day(required=True)

    assert Body().load({"day": "2026-02-05"}) == {"day": date(2026, 2, 5)}
    for sent in ("05/02/2026", "20260205", "2026-W06-4", " 2026-02-05"):
        with pytest.raises(ValidationError) as refused:
            Body().load({"day": sent})
        assert refused.value.messages == {"day": [NOT_AN_ISO_DAY]}, sent
    with pytest.raises(ValidationError) as refused:
        Body().load({"day": "2026-02-30"})
    assert refused.value.messages == {"day": [NO_SUCH_DAY.format(day="30", month="02", year=2026, last=28)]}
    assert Body().dump({"day": date(2026, 2, 5)}) == {"day": "2026-02-05"}  # written out as ISO


def test_a_form_reads_the_same_field_day_first():
    class Form(Schema):
        day = Day(required=True)
        amount = Money(required=True)

    data, errors, _raw = load_form(Form(), {"day": "05/02/2026", "amount": "1.250.000"})
    assert errors == {} and data == {"day": date(2026, 2, 5), "amount": 1_250_000}
    data, errors, _raw = load_form(Form(), {"day": "2026-02-05", "amount": "1 250 000"})
    assert errors == {} and data == {"day": date(2026, 2, 5), "amount": 1_250_000}
    _data, errors, raw = load_form(Form(), {"day": "31/02/2026", "amount": "1,5"})
    assert errors["day"] == ["Ngày không hợp lệ: tháng 02/2026 không có ngày 31 (chỉ có 28 ngày)."]
    assert errors["amount"] == [money.NOT_MONEY] and raw == {"day": "31/02/2026", "amount": "1,5"}


def test_dates_and_amounts_are_shown_as_people_write_them():
    assert typed_day("2026-02-05") == typed_day(date(2026, 2, 5)) == "05/02/2026"
    assert typed_day("5/2/2026") == "5/2/2026" and typed_day("31/02/2026") == "31/02/2026"  # as typed
    assert typed_day("9999-12-31") == "9999-12-31" and typed_day(None) == ""
    assert typed_amount(1_250_000) == typed_amount("1250000") == typed_amount("1 250 000") == "1.250.000"
    assert typed_amount(-50_000_000) == "-50.000.000" and typed_amount(0) == "0"
    assert typed_amount("2,5") == "2,5" and typed_amount("１２３") == "１２３" and typed_amount(None) == ""


# ---- messages written once, shown in the reader's language -------------------------------------

ENGLISH = {
    "Phải {min_op} {{min}}.": "Must be {min_op} {{min}}.",
    "lớn hơn hoặc bằng": "greater than or equal to",
    "Trường này là bắt buộc.": "This field is required.",
    "Địa chỉ web không hợp lệ (bắt đầu bằng http:// hoặc https://).":
        "Invalid web address (it starts with http:// or https://).",
    "Phải là số nguyên.": "Must be a whole number.",
    "Ngày không hợp lệ: tháng {month}/{year} không có ngày {day} (chỉ có {last} ngày).":
        "Invalid date: {month}/{year} has no day {day} (it has only {last} days).",
    "{label} không được sau hôm nay ({today}).": "{label} cannot be after today ({today}).",
    "Ngày chi": "Payment date",
    money.NOT_MONEY: "The amount must be a whole number of đồng, with no decimal part (for example 1,250,000).",
    "bắt buộc": "required",
}


def english(entries=ENGLISH) -> Translations:
    catalogue = Translations()
    catalogue._catalog = dict(entries)
    catalogue.plural = lambda n: int(n != 1)
    return catalogue


def test_the_builtin_messages_are_vietnamese_and_remember_their_msgid():
    class Form(Schema):
        count = fields.Integer(required=True, validate=validate.Range(min=1))
        site = fields.Url(required=True)
        name = fields.String(required=True)

    with pytest.raises(ValidationError) as refused:
        Form().load({"count": 0, "site": "trang chủ"})
    got = refused.value.messages
    assert got == {"count": ["Phải lớn hơn hoặc bằng 1."], "name": ["Trường này là bắt buộc."],
                   "site": ["Địa chỉ web không hợp lệ (bắt đầu bằng http:// hoặc https://)."]}
    lookup = english().ugettext
    assert got["count"][0].text(lookup) == "Must be greater than or equal to 1."
    assert got["name"][0].text(lookup) == "This field is required."
    with pytest.raises(ValidationError) as refused:
        Form().load({"count": "một", "site": "https://stc.gialai.gov.vn", "name": 5})
    assert refused.value.messages["count"][0].text(lookup) == "Must be a whole number."
    assert refused.value.messages["name"] == ["Phải là chữ (một chuỗi ký tự)."]  # no English given: Vietnamese


def test_a_message_is_a_plain_string_to_the_api_and_survives_copies():
    message = Message("{label} không được sau hôm nay ({today}).", label=Message("Ngày chi"), today="02/12/2026")
    assert message == "Ngày chi không được sau hôm nay (02/12/2026)." and isinstance(message, str)
    for twin in (copy.copy(message), copy.deepcopy(message), pickle.loads(pickle.dumps(message))):
        assert twin == message and twin.text(english().ugettext) == "Payment date cannot be after today (02/12/2026)."
    # a translation whose placeholders do not fit falls back to the Vietnamese, never an error page
    broken = english({"{label} không được sau hôm nay ({today}).": "{who} after {when}"})
    assert message.text(broken.ugettext) == str(message)
    assert error_texts({0: {"amount": [money.NOT_MONEY]}, 1: ["Trường này là bắt buộc."]}) == [
        money.NOT_MONEY, "Trường này là bắt buộc."]  # outside a request: the Vietnamese
    assert error_text(None) == "None"


def test_the_fixed_messages_marked_here_are_the_ones_the_fields_give():
    anchored = set(validation_messages.CATALOGUED_ELSEWHERE)
    assert {money.NOT_INTEGER, money.NOT_MONEY, text_field.BLANK, text_field.CONTROL, text_field.SINGLE_LINE,
            text_field.BIDI} <= anchored
    for kwargs in ({}, {"allow_zero": True}, {"signed": True}):
        class Form(Schema):
            amount = Money(required=True, **kwargs)
        with pytest.raises(ValidationError) as refused:
            Form().load({"amount": 10**16})
        assert set(refused.value.messages["amount"]) <= anchored


# ---- the pages ---------------------------------------------------------------------------------

def envelope_form(**changes):
    return {"fiscal_year": str(support.YEAR), "code": "TTCS", "name": "Kinh phí truyền thông chính sách",
            "amount": "1250000", "decision_no": "12/QĐ-UBND", "decision_date": f"05/02/{support.YEAR}", **changes}


def field_error(page: str, name: str) -> str:
    match = re.search(rf'data-field-error="{name}">(.*?)</div>', page, re.S)
    return match.group(1).strip() if match else ""


def test_a_refused_form_shows_the_date_and_the_amount_as_people_write_them(app, roles):
    finance = Browser(app, "taichinh")
    page = text(finance.get("/envelopes"))
    # the date box is text for dd/mm/yyyy, not the browser's picker (which shows the system's format)
    assert 'type="date"' not in page
    box = re.search(r'<input[^>]*name="decision_date"[^>]*>', page, re.S).group(0)
    assert 'type="text"' in box and 'placeholder="dd/mm/yyyy"' in box and 'inputmode="numeric"' in box
    amount = re.search(r'<input[^>]*name="amount"[^>]*>', page, re.S).group(0)
    assert "data-amount" in amount and 'inputmode="numeric"' in amount
    # the required fields are marked, for the eye and for a screen reader, and the legend says what * means
    assert 'required aria-required="true"' in box and 'class="required-mark" aria-hidden="true"' in page
    assert '<span class="visually-hidden"> (bắt buộc)</span>' in page and 'data-testid="required-legend"' in page

    response = finance.submit("/envelopes", "/envelopes", envelope_form(name="", decision_date=f"{support.YEAR}-02-05"))
    assert response.status_code == 422
    page = text(response)
    assert field_error(page, "name") == "Trường này là bắt buộc."
    assert f'value="05/02/{support.YEAR}"' in page and 'value="1.250.000"' in page

    response = finance.submit("/envelopes", "/envelopes", envelope_form(decision_date=f"31/02/{support.YEAR}"))
    assert response.status_code == 422
    page = text(response)
    assert "Ngày không hợp lệ: tháng 02/" in field_error(page, "decision_date")
    assert f'value="31/02/{support.YEAR}"' in page and 'value="1.250.000"' in page

    response = finance.submit("/envelopes", "/envelopes", envelope_form(amount="1.250.000đ"))
    assert response.status_code == 302, text(response)
    assert f"05/02/{support.YEAR}" in text(finance.get(response.headers["Location"]))


def test_an_english_session_reads_the_same_refusals_in_english(app, roles, monkeypatch):
    finance = Browser(app, "taichinh")
    finance.get("/lang/en")
    monkeypatch.setattr(i18n, "get_translations", english)  # the catalogue, as the lead merges it
    response = finance.submit("/envelopes", "/envelopes", envelope_form(name="", amount="1,5"))
    assert response.status_code == 422
    page = text(response)
    assert field_error(page, "name") == "This field is required."
    assert field_error(page, "amount") == ENGLISH[money.NOT_MONEY]
    assert '<span class="visually-hidden"> (required)</span>' in page
    assert "Trường này là bắt buộc." not in page and money.NOT_MONEY not in page
    # the API keeps the contract's Vietnamese, whatever the session's language
    assert str(Message("Trường này là bắt buộc.")) == "Trường này là bắt buộc."


def test_the_audit_filter_reads_dd_mm_yyyy(app, roles):
    auditor = Browser(app, "kiemtoan")
    page = text(auditor.get(f"/audit?date_from=01/01/{support.YEAR}&date_to={support.YEAR}-12-31"))
    assert 'data-field-error="date_from"' not in page and 'data-field-error="date_to"' not in page
    assert f'value="01/01/{support.YEAR}"' in page and f'value="31/12/{support.YEAR}"' in page
    page = text(auditor.get(f"/audit?date_from=31/02/{support.YEAR}"))
    assert "không có ngày 31" in field_error(page, "date_from")


@pytest.mark.parametrize("field_class", [fields.Field, fields.String, fields.Integer, fields.Float, fields.Decimal,
                                         fields.Boolean, fields.Date, Day, fields.DateTime, fields.Time, fields.List,
                                         fields.Nested, fields.Email, fields.Url, fields.Dict, fields.Enum,
                                         fields.UUID, fields.Tuple])
def test_no_english_default_of_marshmallow_reaches_a_page(field_class):
    texts = {}
    for cls in reversed(field_class.__mro__):
        texts.update(getattr(cls, "default_error_messages", None) or {})
    english_left = {key: text for key, text in texts.items() if not isinstance(text, Message)}
    assert english_left == {}
    for validator in (validate.Range, validate.Length, validate.OneOf, validate.URL, validate.Regexp,
                      validate.Email, validate.Equal, validate.NoneOf, validate.ContainsOnly):
        for name in dir(validator):
            if name.startswith("message") or name == "default_message":
                assert isinstance(getattr(validator, name), Message), (validator, name)
