"""The one check every write on a year's records makes: is that year still open?"""
import sqlalchemy as sa

from app.core.exceptions import YearClosed
from app.extensions import db
from budgets.years.models import FiscalYear


def is_closed(fiscal_year: int) -> bool:
    return db.session.execute(sa.select(FiscalYear.year).where(FiscalYear.year == fiscal_year)).first() is not None


def require_open(fiscal_year: int, field: str = "fiscal_year"):
    """Refuse (409 `year_closed`) a write on a record of a closed year."""
    if is_closed(fiscal_year):
        raise YearClosed(f"Năm ngân sách {fiscal_year} đã khóa sổ: không ghi thêm được vào số liệu của năm này.",
                         {field: [f"Năm {fiscal_year} đã khóa sổ."]})
