"""Human numbers of the records (`DN-2026-0007`, `DH-…`, `CT-…`): one counter a prefix and year."""
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.core.models import Described
from app.extensions import db


class NumberSequence(Described, db.Model):
    """Per-year counters for human numbers such as DN-2026-0007."""

    __tablename__ = "number_sequences"
    __described_by__ = ("name", "last_value")

    name = db.Column(db.String(40), primary_key=True)
    last_value = db.Column(db.Integer, nullable=False, default=0)


def next_number(prefix: str, year: int) -> str:
    """`DN-2026-0007`: the counter of `prefix` and `year` bumped by a guarded UPDATE, in the caller's
    transaction (a refused request gives its number back). The first use inserts the counter; of
    two first uses racing, the loser bumps the winner's row. Any service may call it."""
    name = f"{prefix}-{year}"
    bump = (sa.update(NumberSequence).where(NumberSequence.name == name)
            .values(last_value=NumberSequence.last_value + 1).returning(NumberSequence.last_value))
    value = db.session.execute(bump).scalar_one_or_none()
    if value is None:
        try:
            with db.session.begin_nested():
                db.session.add(NumberSequence(name=name, last_value=1))
            value = 1
        except IntegrityError:  # a concurrent first use won; bump its row
            value = db.session.execute(bump).scalar_one()
    return f"{prefix}-{year}-{value:04d}"
