"""One list helper for every list of every domain, API and pages alike.

A page is read in two statements whatever its size or position: the count, over the filtered ids
with no eager joins, and the page itself, whose rows are found by joining the model to a subquery
that selects just the page's ids (ordered, limited, offset) — so the eager loads touch those rows
only, and a late page costs about what the first costs. (`id IN (subquery)` planned badly on
PostgreSQL; the join does not.) Relationships of a list's rows that point at one table, such as
the several users who acted on a request, can be filled by one extra query for the whole page
(`batched`), instead of one join each.
"""
from dataclasses import dataclass, field, replace

import sqlalchemy as sa
from sqlalchemy.orm import lazyload
from sqlalchemy.orm.attributes import set_committed_value

from app.core.settings import setting
from app.extensions import db


@dataclass(frozen=True)
class ListQuery:
    """The rows of one model that a list shows: filters, order (the model's own columns, with its
    id last so that the order is total), eager loads, and many-to-one relationships filled in one
    query per target model for the whole page."""
    stmt: sa.Select
    order: tuple
    loads: tuple = ()
    batched: tuple = field(default=())

    @property
    def model(self):
        return self.stmt.column_descriptions[0]["entity"]

    @property
    def key(self):
        return sa.inspect(self.model).primary_key[0]

    def where(self, *clauses) -> "ListQuery":
        return replace(self, stmt=self.stmt.where(*clauses))

    def join(self, *args, **kwargs) -> "ListQuery":
        return replace(self, stmt=self.stmt.join(*args, **kwargs))

    def count(self) -> int:
        ids = self.stmt.with_only_columns(self.key).order_by(None)
        return db.session.execute(sa.select(sa.func.count()).select_from(ids.subquery())).scalar_one()

    def total(self) -> tuple[int, bool]:
        """(rows, estimated): exact up to LIST_EXACT_COUNT_LIMIT, counted no further; past it on
        PostgreSQL the planner's estimate of the filtered rows (never below the limit), flagged as one.
        SQLite has no estimate to give: it counts them all."""
        limit = setting("LIST_EXACT_COUNT_LIMIT")
        if db.session.get_bind().dialect.name != "postgresql":
            return self.count(), False
        ids = self.stmt.with_only_columns(self.key).order_by(None)
        counted = db.session.execute(
            sa.select(sa.func.count()).select_from(ids.limit(limit + 1).subquery())).scalar_one()
        if counted <= limit:
            return counted, False
        return max(limit + 1, planned_rows(ids)), True

    def rows(self, *, limit: int | None = None, offset: int = 0) -> list:
        model, key = self.model, self.key
        if limit is None:
            stmt = self.stmt.options(*self._options()).order_by(*self.order)
        else:
            ids = (self.stmt.with_only_columns(key.label("key")).order_by(*self.order)
                   .limit(limit).offset(offset).subquery("page_ids"))
            stmt = (sa.select(model).join(ids, key == ids.c.key)
                    .options(*self._options()).order_by(*self.order))
        rows = db.session.execute(stmt).unique().scalars().all()
        fill_many_to_one(rows, self.batched)
        return rows

    def page(self, page: int, per_page: int) -> dict:
        total, estimated = self.total()
        return {"items": self.rows(limit=per_page, offset=(page - 1) * per_page),
                "total": total, "total_estimated": estimated, "page": page, "per_page": per_page}

    def _options(self):
        return (*self.loads, *(lazyload(rel) for rel in self.batched))


def planned_rows(stmt: sa.Select) -> int:
    """PostgreSQL's estimate of the rows `stmt` returns (EXPLAIN: plans, runs nothing)."""
    connection = db.session.connection()
    compiled = stmt.compile(dialect=connection.dialect, compile_kwargs={"render_postcompile": True})
    plan = connection.exec_driver_sql("EXPLAIN (FORMAT JSON) " + str(compiled), compiled.params).scalar_one()
    return int(plan[0]["Plan"]["Plan Rows"])


def fill_many_to_one(rows: list, relationships) -> None:
    """Load the targets of many-to-one relationships for all `rows` in one query per target model
    (targets' own relationships left to load on access), and set them on the rows."""
    by_target: dict = {}
    for rel in relationships:
        prop = rel.property
        (column,) = prop.local_columns
        by_target.setdefault(prop.mapper.class_, []).append((prop.key, column.key))
    for target, pairs in by_target.items():
        wanted = {getattr(row, fk) for row in rows for _key, fk in pairs} - {None}
        found = {}
        if wanted:
            found = {obj.id: obj for obj in db.session.execute(
                sa.select(target).where(target.id.in_(wanted)).options(lazyload("*"))).scalars()}
        for row in rows:
            for key, fk in pairs:
                set_committed_value(row, key, found.get(getattr(row, fk)))
