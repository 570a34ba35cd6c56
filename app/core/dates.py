"""Calendar days (DESIGN §11): the one field type for a date the contract takes, the plausible range
every export trusts, and the checks that keep a record's dates coherent with today and with each other.

A day outside 2000-2100 is a typing mistake (0001-01-01, 9999-12-31), never a budget record: the
`Day` field refuses it at the door, and the exports treat one already stored as unknown rather than
publish it or count days from it. "Today" is `app.core.clock.today()`, in Việt Nam.
"""
import calendar
import re
from datetime import date, datetime

from marshmallow import ValidationError, fields

from app.core import clock
from app.core.exceptions import ValidationFailed
from app.core.i18n import N_, Message
from app.core.money import FORM_INPUT

MIN_DAY = date(2000, 1, 1)
MAX_DAY = date(2100, 12, 31)
OUT_OF_RANGE = N_("Ngày phải từ 01/01/2000 đến 31/12/2100.")
# What a person types (05/02/2026, 5/2/2026, 05-02-2026, 05.02.2026) and what the API documents
# (2026-02-05). ASCII digits only; the year has four.
_TYPED = re.compile(r"(?P<day>[0-9]{1,2})(?P<sep>[/.-])(?P<month>[0-9]{1,2})(?P=sep)(?P<year>[0-9]{4})")
_ISO = re.compile(r"(?P<year>[0-9]{4})-(?P<month>[0-9]{2})-(?P<day>[0-9]{2})")
NOT_A_DAY = N_("Ngày không hợp lệ: hãy viết ngày/tháng/năm (dd/mm/yyyy), ví dụ 05/02/2026.")
NOT_AN_ISO_DAY = N_("Ngày không hợp lệ (định dạng YYYY-MM-DD).")  # the API's contract: ISO only
NO_SUCH_MONTH = N_("Ngày không hợp lệ: không có tháng {month} (tháng từ 1 đến 12).")
NO_SUCH_DAY = N_("Ngày không hợp lệ: tháng {month}/{year} không có ngày {day} (chỉ có {last} ngày).")
DAY_PLACEHOLDER = "dd/mm/yyyy"


def plausible(day) -> bool:
    """A date a budget record may carry; False for None and for the years a mistake gives."""
    if isinstance(day, datetime):
        day = day.date()
    return isinstance(day, date) and MIN_DAY <= day <= MAX_DAY


def vn(day: date) -> str:
    """dd/mm/yyyy, as the department writes a date (four-digit year whatever the platform)."""
    return f"{day.day:02d}/{day.month:02d}/{day.year:04d}"


def typed_input() -> bool:
    """Whether a date comes from a person (a page's form or filter: dd/mm/yyyy or ISO) rather than
    an API client (the contract's ISO only, "01/02/2026" refused: tests/commissions/test_bad_input.py)."""
    if FORM_INPUT.get():
        return True
    from flask import has_request_context, request
    return has_request_context() and not request.path.startswith("/api/")


def parse_day(value, *, typed: bool = True) -> date:
    """The one reading of a date: ISO yyyy-mm-dd and, when `typed` (a person typed it on a page),
    dd/mm/yyyy too (d/m/yyyy, 05-02-2026, 05.02.2026); a real calendar day between 01/01/2000 and
    31/12/2100. Raises ValidationError with a message that says what is wrong (31/02/2026: February
    2026 has 28 days). The `Day` field (forms and API) and the list filters share it."""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        if not plausible(value):
            raise ValidationError(Message(OUT_OF_RANGE))
        return value
    not_a_day = Message(NOT_A_DAY if typed else NOT_AN_ISO_DAY)
    if not isinstance(value, str):
        raise ValidationError(not_a_day)
    text = value.strip() if typed else value
    match = None
    if len(text) <= 10:
        match = _ISO.fullmatch(text) or (_TYPED.fullmatch(text) if typed else None)
    if match is None:
        raise ValidationError(not_a_day)
    year, month, day = int(match["year"]), int(match["month"]), int(match["day"])
    if not MIN_DAY.year <= year <= MAX_DAY.year:
        raise ValidationError(Message(OUT_OF_RANGE))
    if not 1 <= month <= 12:
        raise ValidationError(Message(NO_SUCH_MONTH, month=match["month"]))
    last = calendar.monthrange(year, month)[1]
    if not 1 <= day <= last:
        raise ValidationError(Message(NO_SUCH_DAY, day=match["day"], month=f"{month:02d}", year=year, last=last))
    return date(year, month, day)


def typed_day(value) -> str:
    """A date as a form shows it again: dd/mm/yyyy for a date or an ISO text, anything else as typed."""
    if value is None:
        return ""
    if isinstance(value, str) and not _ISO.fullmatch(value.strip()):
        return value
    try:
        return vn(parse_day(value))
    except ValidationError:
        return value if isinstance(value, str) else ""


class Day(fields.Date):
    """A calendar day between 01/01/2000 and 31/12/2100, read by `parse_day`: ISO (YYYY-MM-DD, the
    API's documented and only format) or, on pages, as the department types it (dd/mm/yyyy).
    Written out as ISO."""

    default_error_messages = {"out_of_range": Message(OUT_OF_RANGE), "invalid": Message(NOT_AN_ISO_DAY)}

    def _deserialize(self, value, attr, data, **kwargs):
        return parse_day(value, typed=typed_input())


def not_in_future(field: str, day: date, label: str):
    """Nothing is signed, delivered, accepted, liquidated or paid after today (in Việt Nam)."""
    today = clock.today()
    if day > today:
        raise ValidationFailed.field(field, Message(N_("{label} không được sau hôm nay ({today})."),
                                                    label=Message(label), today=vn(today)))


def not_before(field: str, day: date, floor: date | None, label: str, floor_label: str):
    """`day` on or after `floor` (when there is one): "Ngày giao không trước ngày ký hợp đồng (…)"."""
    if floor is not None and day < floor:
        raise ValidationFailed.field(field, Message(N_("{label} không được trước {floor_label} ({floor})."),
                                                    label=Message(label), floor_label=Message(floor_label),
                                                    floor=vn(floor)))
