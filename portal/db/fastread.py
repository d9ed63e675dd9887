"""Prepared reads: a read-only Core statement compiled once per dialect and run on a pooled DBAPI cursor.

For the few reads that run on every click (the session check): SQLAlchemy's execution path (cache key,
compiled-cache lookup, execution context, result processing) costs several times what the database does for
an indexed lookup. A ``PreparedRead`` keeps the SQL string and the order of its parameters, so a call is a
pool checkout, one ``cursor.execute`` and the rows. The connection comes from the engine's pool, so pool size,
pre-ping and reset-on-return are as for every other statement.

What the driver returns is passed through, except timestamps: SQLite's driver returns what SQLAlchemy stored
(ISO text), which ``timestamp`` turns into an aware UTC ``datetime`` as PostgreSQL's driver gives.
"""

from __future__ import annotations

import os
import threading
import weakref
from collections import namedtuple
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.sql import Select


class PreparedRead:
    """One read-only statement with named bind parameters; ``rows(cursor, **params)`` runs it."""

    def __init__(self, statement: Select) -> None:
        self.statement = statement
        self.Row = namedtuple("Row", list(statement.selected_columns.keys()))  # noqa: PYI024 - built at run time
        # per dialect: the SQL, the statement's own literal values, the parameter order (None: named parameters)
        self._by_dialect: dict[str, tuple[str, dict[str, Any], tuple[str, ...] | None]] = {}

    def _compiled(self, engine: Engine) -> tuple[str, dict[str, Any], tuple[str, ...] | None]:
        found = self._by_dialect.get(engine.dialect.name)
        if found is None:
            compiled = self.statement.compile(dialect=engine.dialect)
            order = tuple(compiled.positiontup) if compiled.positional else None
            found = (compiled.string, compiled.construct_params(_check=False), order)
            self._by_dialect[engine.dialect.name] = found
        return found

    def rows(self, cursor: Any, engine: Engine, **params: Any) -> list[tuple]:
        sql, literals, order = self._compiled(engine)
        values = {**literals, **params}
        cursor.execute(sql, values if order is None else tuple(values[name] for name in order))
        return [self.Row(*row) for row in cursor.fetchall()]

    def first(self, cursor: Any, engine: Engine, **params: Any) -> tuple | None:
        found = self.rows(cursor, engine, **params)
        return found[0] if found else None


@contextmanager
def cursor(engine: Engine, in_place: bool = False) -> Iterator[Any]:
    """A DBAPI cursor for prepared reads.

    ``in_place`` (the event loop's reads, where ``reads_in_place`` allows them: SQLite): the thread keeps a
    connection of its own for them, so a read costs no pool checkout and return (a third of the session check). The
    connection runs in autocommit for reads (no transaction is ever opened on it), so every statement sees the
    latest commit. Otherwise a pooled connection, returned (rolled back) when the block ends.
    """
    pooled = None if in_place and reads_in_place(engine) else engine.raw_connection()
    try:
        cur = (pooled or _own_connection(engine)).cursor()
        try:
            yield cur
        finally:
            cur.close()
    finally:
        if pooled is not None:
            pooled.close()


_HELD = threading.local()  # per thread: {engine: (process id, DBAPI connection)}


def _own_connection(engine: Engine) -> Any:
    held = getattr(_HELD, "connections", None)
    if held is None:
        held = _HELD.connections = weakref.WeakKeyDictionary()  # a disposed, dropped engine takes its connection along
    found = held.get(engine)
    if found is None or found[0] != os.getpid():  # never a connection inherited from the parent of a fork
        pooled = engine.raw_connection()  # made as every connection is (the engine's connect events: pragmas)
        pooled.detach()  # ... but not the pool's to count, check or hand out
        found = held[engine] = (os.getpid(), pooled.dbapi_connection)
    return found[1]


def reads_in_place(engine: Engine) -> bool:
    """Whether a prepared read may run on the event loop's own thread: SQLite's, in WAL mode an in-process read
    of a few indexed rows that never waits for a writer, costs less than handing it to a worker thread.
    PostgreSQL's goes over the network: never on the loop."""
    return engine.dialect.name == "sqlite"


def timestamp(value: datetime | str | None) -> datetime | None:
    """A stored timestamp as an aware UTC datetime (SQLite's driver gives SQLAlchemy's ISO text; we store UTC).

    >>> timestamp("2026-12-06 20:35:15.952135")
    datetime.datetime(2026, 12, 6, 20, 35, 15, 952135, tzinfo=datetime.timezone.utc)
    >>> timestamp(None) is None
    True
    """
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=timezone.utc) if value is not None and value.tzinfo is None else value
