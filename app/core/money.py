"""Money is an integer number of đồng. One field type for every amount, one formatter."""
import re
from contextvars import ContextVar

from marshmallow import ValidationError, fields, validate

# A realistic ceiling (one quadrillion đồng) that keeps every running total far inside BIGINT.
MAX_AMOUNT = 10**15
MAX_TOTAL = 10**18

# Set while a schema loads an HTML form: there, amounts arrive as text such as "1.500.000".
FORM_INPUT: ContextVar[bool] = ContextVar("FORM_INPUT", default=False)

_FORM_NUMBER = re.compile(r"-?\d+")
NOT_INTEGER = "Phải là số nguyên (không có phần thập phân, không phải chuỗi)."
NOT_MONEY = "Số tiền phải là số nguyên đồng (không có phần thập phân, không phải chuỗi)."


def parse_form_integer(value: str):
    cleaned = re.sub(r"[\s.\u00a0₫đ]", "", value.strip()).replace(",", "")
    if not _FORM_NUMBER.fullmatch(cleaned):
        raise ValidationError(NOT_INTEGER)
    return int(cleaned)


class StrictInteger(fields.Integer):
    """Integer that refuses floats, booleans and strings from JSON; forms may send digits."""

    default_error_messages = {"invalid": NOT_INTEGER}

    def __init__(self, **kwargs):
        kwargs.setdefault("strict", True)
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool):
            raise self.make_error("invalid")
        if FORM_INPUT.get() and isinstance(value, str):
            try:
                value = parse_form_integer(value)
            except ValidationError:
                raise self.make_error("invalid") from None
        return super()._deserialize(value, attr, data, **kwargs)


def Money(*, signed: bool = False, **kwargs):  # noqa: N802 - reads like a field class
    """An amount in đồng: positive (or signed and non-zero) and at most MAX_AMOUNT."""
    validators = [validate.Range(min=-MAX_AMOUNT if signed else 1, max=MAX_AMOUNT)]
    if signed:
        validators.append(validate.NoneOf([0], error="Số tiền điều chỉnh phải khác 0."))
    kwargs.setdefault("error_messages", {"invalid": NOT_MONEY})
    return StrictInteger(validate=validators, **kwargs)


def format_vnd(amount) -> str:
    if amount is None:
        return ""
    return f"{int(amount):,}".replace(",", ".") + " ₫"
