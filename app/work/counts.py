"""Counting and listing the work items of one person in a fixed number of statements.

Every SQL item of the role is counted in one statement (`SELECT (SELECT count(*) FROM (q1)),
(SELECT count(*) FROM (q2)), …`); an item that counts otherwise (red flags) adds its own fixed
number. The counts are computed once per request (kept on `g`) for the navigation's badges and the
work page alike.
"""
from dataclasses import dataclass

import sqlalchemy as sa
from flask import g, url_for
from flask_login import current_user

from app.core.registry import registry
from app.extensions import db

ROWS_SHOWN = 20  # records of each item the page lists; "Xem tất cả" leads to the rest


@dataclass(frozen=True)
class WorkCounts:
    by_item: dict[str, int]  # item key -> records waiting
    total: int

    def of(self, keys) -> int:
        return sum(self.by_item.get(key, 0) for key in keys)

    def badge(self, entry) -> int:
        """What a navigation entry's badge shows: the total on the work page's entry, else the
        entry's own items."""
        if entry.endpoint == "work.index":
            return self.total
        return self.of(entry.work)


def count_items(actor, items) -> dict[str, int]:
    counted = {}
    sql_items = [item for item in items if item.count is None]
    if sql_items:
        columns = [sa.select(sa.func.count()).select_from(item.query(actor).order_by(None).subquery())
                   .scalar_subquery().label(f"c{index}") for index, item in enumerate(sql_items)]
        values = db.session.execute(sa.select(*columns)).one()
        counted.update({item.key: int(value or 0) for item, value in zip(sql_items, values, strict=True)})
    for item in items:
        if item.count is not None:
            counted[item.key] = int(item.count(actor))
    return counted


def counts_for(actor) -> WorkCounts:
    items = registry().work_for(actor.role)
    by_item = count_items(actor, items)
    return WorkCounts(by_item, sum(by_item[item.key] for item in items if item.in_total))


def work_counts() -> WorkCounts | None:
    """The current user's counts, computed at most once per request; None when nobody is logged in."""
    if not current_user.is_authenticated:
        return None
    if "work_counts" not in g:
        g.work_counts = counts_for(current_user._get_current_object())
    return g.work_counts


def rows_of(actor, item, limit: int = ROWS_SHOWN):
    """The first records of one item, in one statement (or the item's own `rows`)."""
    if item.rows is not None:
        return item.rows(actor, limit)
    return [item.row(row) for row in db.session.execute(item.query(actor).limit(limit)).all()]


def list_url(item) -> str | None:
    return url_for(item.url, **item.url_args) if item.url else None
