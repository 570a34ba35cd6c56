"""Money is an integer number of đồng. One field type for every amount, one formatter."""
import re
from contextvars import ContextVar

import sqlalchemy as sa
from marshmallow import ValidationError, fields, validate

# A realistic ceiling (one quadrillion đồng) that keeps every running total far inside BIGINT.
MAX_AMOUNT = 10**15
MAX_TOTAL = 10**18

# Set while a schema loads an HTML form: there, amounts arrive as text such as "1.500.000".
FORM_INPUT: ContextVar[bool] = ContextVar("FORM_INPUT", default=False)

# Whole numbers as people type them in a form: plain digits, or digits grouped in threes by one
# kind of separator ("1.500.000", "1 500 000"; the first group has no leading zero), an optional
# minus sign (signed adjustments) and an optional đồng sign. ASCII digits only: "１２３" (full-width)
# and "١٢٣" (Arabic-Indic) are refused, as are a decimal part, a comma and misplaced separators
# ("1.000.000,00", "2,5", "1.0000") - guessing what they meant turned 2,5 into 25.
_FORM_NUMBER = re.compile(
    r"(?P<sign>-)?"
    r"(?P<digits>[0-9]+|[1-9][0-9]{0,2}(?P<sep>[. \u00a0\u202f])[0-9]{3}(?:(?P=sep)[0-9]{3})*)"
    r"(?:[ \u00a0\u202f]?(?:₫|đ|VNĐ|VND))?")
NOT_INTEGER = "Phải là một số nguyên, không có phần lẻ (ví dụ 12)."
NOT_MONEY = "Số tiền phải là một số nguyên đồng, không có phần lẻ (ví dụ 1.250.000)."
MAX_FORM_DIGITS = 30  # far above MAX_TOTAL; longer text is refused before int() sees it


def parse_form_integer(value: str) -> int:
    """The one reading of a whole number typed in a form field (amounts, quantities, years)."""
    text = value.strip()
    match = _FORM_NUMBER.fullmatch(text) if len(text) <= 2 * MAX_FORM_DIGITS else None
    if match is None:
        raise ValidationError(NOT_INTEGER)
    digits = match["digits"].replace(match["sep"] or " ", "")
    number = int(digits)
    return -number if match["sign"] else number


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


def Money(*, signed: bool = False, allow_zero: bool = False, **kwargs):  # noqa: N802 - reads like a field class
    """An amount in đồng: positive (or zero when `allow_zero`, or signed and non-zero) and at most
    MAX_AMOUNT."""
    low = -MAX_AMOUNT if signed else (0 if allow_zero else 1)
    validators = [validate.Range(min=low, max=MAX_AMOUNT, error=(
        f"Số tiền phải từ {low:,} đến {MAX_AMOUNT:,} đồng.".replace(",", ".")))]
    if signed:
        validators.append(validate.NoneOf([0], error="Số tiền điều chỉnh phải khác 0."))
    kwargs.setdefault("error_messages", {"invalid": NOT_MONEY})
    return StrictInteger(validate=validators, **kwargs)


def group_thousands(amount: int) -> str:
    """Figures with dots between thousands, as Vietnamese forms write them: 100000000 -> "100.000.000"."""
    return f"{int(amount):,}".replace(",", ".")


def format_vnd(amount) -> str:
    if amount is None:
        return ""
    return group_thousands(amount) + " ₫"


def sql_total(column):
    """A SQL sum in whole đồng, 0 over no rows (PostgreSQL's SUM of bigint is numeric)."""
    return sa.cast(sa.func.coalesce(sa.func.sum(column), sa.literal_column("0")), sa.BigInteger)
