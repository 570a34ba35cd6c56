"""Flags worked through: finance or an auditor marks a flag handled with a note (who and when kept,
audited). A review holds the flag's cause as it was (its amount and the day it counts from): if
the cause changes (more unpaid, a new advance), the flag shows again."""
import sqlalchemy as sa

from app.core import audit
from app.core.exceptions import InvalidTransition
from app.core.permissions import AUDITOR, FINANCE_OFFICER, require_role
from app.core.timeutil import utcnow
from app.extensions import db
from reports import flags


class FlagReview(db.Model):
    __tablename__ = "flag_reviews"

    id = db.Column(db.Integer, primary_key=True)
    fiscal_year = db.Column(db.Integer, nullable=False)
    code = db.Column(db.String(40), nullable=False)
    entity = db.Column(db.String(20), nullable=False)
    entity_id = db.Column(db.Integer, nullable=False)
    cause = db.Column(db.String(80), nullable=False)
    note = db.Column(db.Text, nullable=False)
    by_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False)
    at = db.Column(db.DateTime, nullable=False, default=utcnow)

    by = db.relationship("User")

    __table_args__ = (db.Index("ix_flag_reviews_year_code", "fiscal_year", "code", "entity", "entity_id"),)

    def __repr__(self):
        return f"<FlagReview {self.code} {self.entity}#{self.entity_id}>"


def cause_of(flag: dict) -> str:
    return f"{flag.get('amount')}|{flag.get('since')}"


def key_of(flag: dict) -> tuple:
    return flag["code"], flag["entity"], flag["entity_id"]


def mark_handled(actor, *, fiscal_year: int, code: str, entity: str, entity_id: int, note: str) -> FlagReview:
    """Finance or an auditor marks a flag standing now as handled. Refuses: another role (403), a
    flag that does not stand now (409 `invalid_transition`: nothing is left to handle)."""
    require_role(actor, FINANCE_OFFICER, AUDITOR)
    standing = next((flag for flag in flags.stream(fiscal_year, None)
                     if key_of(flag) == (code, entity, entity_id)), None)
    if standing is None:
        raise InvalidTransition("Cảnh báo này không còn (đã được giải quyết hoặc không có).",
                                {"code": [code]})
    review = FlagReview(fiscal_year=fiscal_year, code=code, entity=entity, entity_id=entity_id,
                        cause=cause_of(standing), note=note, by_id=actor.id)
    db.session.add(review)
    db.session.flush()
    audit.record(actor, "flag.handle", entity, entity_id, {"code": code, "note": note, "cause": review.cause})
    return review


def reviews_of(fiscal_year: int) -> dict[tuple, FlagReview]:
    """The latest review of each flag of the year, in one statement."""
    rows = db.session.execute(sa.select(FlagReview).options(sa.orm.joinedload(FlagReview.by).lazyload("*"))
                              .where(FlagReview.fiscal_year == fiscal_year).order_by(FlagReview.id)).scalars()
    return {(r.code, r.entity, r.entity_id): r for r in rows}


def handled(flag: dict, reviews: dict) -> FlagReview | None:
    """The review that still covers the flag (its cause unchanged), or None."""
    review = reviews.get(key_of(flag))
    return review if review is not None and review.cause == cause_of(flag) else None
