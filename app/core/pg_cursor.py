"""psycopg cursors whose `description` costs nothing until someone reads a column of it.

psycopg builds `cursor.description` anew on every access: one `Column` per result column, each
decoding its name and looking up its type. SQLAlchemy asks for it after every statement, but once a
statement's result metadata is cached (every statement after the first) it only checks that the
description is not None. For the API's detail read that was about 40 `Column` objects a request,
a tenth of its CPU, built and thrown away. `LazyColumns` answers the same sequence, building the
`Column` objects on first use.
"""
from collections.abc import Sequence

import psycopg
from psycopg import Column, pq

_HAS_TUPLES = (pq.ExecStatus.TUPLES_OK, pq.ExecStatus.SINGLE_TUPLE, pq.ExecStatus.TUPLES_CHUNK)


class LazyColumns(Sequence):
    """The columns of the cursor's current result, as psycopg's list of `Column` would give them."""

    __slots__ = ("_cursor", "_count", "_columns")

    def __init__(self, cursor, count: int):
        self._cursor, self._count, self._columns = cursor, count, None

    def _built(self) -> list[Column]:
        if self._columns is None:
            self._columns = [Column(self._cursor, index) for index in range(self._count)]
        return self._columns

    def __len__(self):
        return self._count

    def __getitem__(self, index):
        return self._built()[index]

    def __iter__(self):
        return iter(self._built())

    def __eq__(self, other):
        return list(self) == other

    def __repr__(self):
        return repr(self._built())


class LazyDescriptionCursor(psycopg.Cursor):
    @property
    def description(self):
        # Same condition as psycopg's own: columns when the result has fields or returned tuples.
        result = self.pgresult
        if result and (result.nfields or result.status in _HAS_TUPLES):
            return LazyColumns(self, result.nfields)
        return None


def use_lazy_description(dbapi_connection, _record=None):
    """An engine "connect" listener: the connection's plain cursors describe lazily."""
    dbapi_connection.cursor_factory = LazyDescriptionCursor
