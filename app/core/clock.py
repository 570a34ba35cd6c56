"""The one clock every rule about "today" reads (DESIGN §11).

Calendar dates (31/12, 31/01, "not in the future") are decided in Asia/Ho_Chi_Minh, where the
department works: at 23:30 UTC on 31/12 it is already 1 January there. Instants are stored in UTC
(`app.core.timeutil.utcnow`). Python's clock, never the database's, so that time-travel tests
(time-machine) move every rule at once.
"""
from datetime import date, datetime
from zoneinfo import ZoneInfo

LOCAL_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


def local_now() -> datetime:
    return datetime.now(LOCAL_ZONE)


def today() -> date:
    """Today's date in Việt Nam."""
    return local_now().date()


def correction_period_end(fiscal_year: int) -> date:
    """The last day of the chỉnh lý period of a year: 31/01 of the next year."""
    return date(fiscal_year + 1, 1, 31)


def year_end(fiscal_year: int) -> date:
    return date(fiscal_year, 12, 31)
