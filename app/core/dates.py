"""Calendar days (DESIGN §11): the one field type for a date the contract takes, the plausible range
every export trusts, and the checks that keep a record's dates coherent with today and with each other.

A day outside 2000-2100 is a typing mistake (0001-01-01, 9999-12-31), never a budget record: the
`Day` field refuses it at the door, and the exports treat one already stored as unknown rather than
publish it or count days from it. "Today" is `app.core.clock.today()`, in Việt Nam.
"""
from datetime import date, datetime

from marshmallow import fields

from app.core import clock
from app.core.exceptions import ValidationFailed

MIN_DAY = date(2000, 1, 1)
MAX_DAY = date(2100, 12, 31)
OUT_OF_RANGE = "Ngày phải từ 01/01/2000 đến 31/12/2100."


def plausible(day) -> bool:
    """A date a budget record may carry; False for None and for the years a mistake gives."""
    if isinstance(day, datetime):
        day = day.date()
    return isinstance(day, date) and MIN_DAY <= day <= MAX_DAY


def vn(day: date) -> str:
    """dd/mm/yyyy, as the department writes a date (four-digit year whatever the platform)."""
    return f"{day.day:02d}/{day.month:02d}/{day.year:04d}"


class Day(fields.Date):
    """An ISO date (YYYY-MM-DD) between 01/01/2000 and 31/12/2100."""

    default_error_messages = {"out_of_range": OUT_OF_RANGE}

    def _deserialize(self, value, attr, data, **kwargs):
        day = super()._deserialize(value, attr, data, **kwargs)
        if not plausible(day):
            raise self.make_error("out_of_range")
        return day


def not_in_future(field: str, day: date, label: str):
    """Nothing is signed, delivered, accepted, liquidated or paid after today (in Việt Nam)."""
    today = clock.today()
    if day > today:
        raise ValidationFailed.field(field, f"{label} không được sau hôm nay ({vn(today)}).")


def not_before(field: str, day: date, floor: date | None, label: str, floor_label: str):
    """`day` on or after `floor` (when there is one): "Ngày giao không trước ngày ký hợp đồng (…)"."""
    if floor is not None and day < floor:
        raise ValidationFailed.field(field, f"{label} không được trước {floor_label} ({vn(floor)}).")
