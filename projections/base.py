"""What a projection is: a name, the tables it owns, and one handler per event type it reads.

Handlers are synchronous and do no I/O: each adds rows to a ``Writes`` buffer, which the runner
flushes once per batch, in the same transaction as the checkpoint. Rows for one statement are sent
together (``executemany`` or ``COPY``), so the order *between* statements within a batch is the
projection's declared statement order, not event order. A projection must therefore either write
disjoint columns per statement or list its statements in causal order (a claim is prepared before
it is submitted before it is paid); rows of one statement always keep event order.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias, TypeVar

import asyncpg
from asyncpg.pool import PoolConnectionProxy

from events.base import PatientEvent
from events.store import StoredEvent

E = TypeVar("E", bound=PatientEvent)

# A plain connection or one borrowed from a pool: the runner and reports accept either.
Conn: TypeAlias = "asyncpg.Connection[asyncpg.Record] | PoolConnectionProxy[asyncpg.Record]"


@dataclass(frozen=True)
class Sql:
    """An INSERT/UPDATE run once per row with ``executemany``; ``$n`` placeholders."""

    sql: str


@dataclass(frozen=True)
class Copy:
    """Rows appended with ``COPY``: for insert-only tables keyed by event position."""

    table: str
    columns: tuple[str, ...]


Statement = Sql | Copy
Row = tuple[Any, ...]
Handler = Callable[["Writes", StoredEvent, Any], None]


class Writes:
    """The rows one batch of events produces, grouped by statement in the projection's order."""

    def __init__(self, order: Sequence[Statement]) -> None:
        self._rows: dict[Statement, list[Row]] = {s: [] for s in order}

    def add(self, statement: Statement, *values: Any) -> None:
        """Queues one row; raises ``KeyError`` for a statement the projection did not declare."""
        self._rows[statement].append(values)

    def __len__(self) -> int:
        return sum(len(rows) for rows in self._rows.values())

    async def flush(self, conn: Conn) -> None:
        """Sends every queued row on ``conn`` (inside the caller's transaction) and clears."""
        for statement, rows in self._rows.items():
            if not rows:
                continue
            if isinstance(statement, Copy):
                await conn.copy_records_to_table(
                    statement.table, records=rows, columns=list(statement.columns)
                )
            else:
                await conn.executemany(statement.sql, rows)
            rows.clear()


class Projection:
    """A read model: ``name`` (its checkpoint key), ``tables`` it owns, and its handlers.

    ``tables`` are cloned and swapped by ``rebuild``; every statement must name them unqualified,
    because a rebuild resolves them through ``search_path`` to its shadow schema.
    """

    def __init__(self, name: str, tables: Sequence[str], statements: Sequence[Statement]) -> None:
        self.name = name
        self.tables = tuple(tables)
        self.statements = tuple(statements)
        self._handlers: dict[str, tuple[type[PatientEvent], Handler]] = {}

    def on(
        self, event_type: type[E]
    ) -> Callable[[Callable[[Writes, StoredEvent, E], None]], Handler]:
        """Registers the decorated function as the handler of ``event_type`` (one per type)."""
        type_name = event_type.model_fields["type"].default

        def register(fn: Callable[[Writes, StoredEvent, E], None]) -> Handler:
            if type_name in self._handlers:
                raise ValueError(f"projection {self.name} already handles {type_name}")
            self._handlers[type_name] = (event_type, fn)
            return fn

        return register

    @property
    def handled_types(self) -> frozenset[str]:
        return frozenset(self._handlers)

    def wants(self, event_type: str) -> bool:
        """Whether events of ``event_type`` need decoding and a handler; others are only counted."""
        return event_type in self._handlers

    def new_writes(self) -> Writes:
        return Writes(self.statements)

    def apply(self, writes: Writes, stored: StoredEvent) -> None:
        """Adds the rows for one event; events of types it does not handle are consumed silently.

        Raises ``TypeError`` when the stored event is not the model its handler expects (a type
        name reused by another model), so the runner stops rather than misreading it.
        """
        entry = self._handlers.get(stored.type)
        if entry is None:
            return
        model, handler = entry
        if not isinstance(stored.event, model):
            raise TypeError(f"expected {model.__name__}, got {type(stored.event).__name__}")
        handler(writes, stored, stored.event)
