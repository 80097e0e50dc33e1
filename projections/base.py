"""What a projection is: a name, the tables it owns, and one handler per event type it reads.

Handlers are synchronous and do no I/O: each adds rows to a ``Writes`` buffer, which the runner
flushes once per batch, in the same transaction as the checkpoint. A type may instead be read by a
set-based statement (``projections.set_sql``), which computes its rows inside PostgreSQL.
Rows for one statement are sent together (``executemany`` or ``COPY``), so the order *between*
statements within a batch is the projection's declared statement order, not event order. A
projection must therefore either write disjoint columns per statement or list its statements in
causal order (a claim is prepared before it is submitted before it is paid); rows of one statement
always keep event order.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias, TypeVar

import asyncpg
from asyncpg.pool import PoolConnectionProxy

from events.base import PatientEvent
from events.payloads import PayloadNeeds
from events.store import StoredEvent
from projections.batch import Batch
from projections.set_sql import SetRows, SetSql, Span

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


Statement = Sql | Copy | SetSql
Row = tuple[Any, ...]
Handler = Callable[["Writes", StoredEvent, Any], None]


class RowsRejected(Exception):
    """The database refused the rows a set-based statement computed from stored events.

    Names the event type, the SQLSTATE and the column or constraint, never the message: a cast
    error's message quotes the stored value, which a hand-written row could make anything.
    """

    def __init__(self, event_type: str, error: asyncpg.PostgresError) -> None:
        where = getattr(error, "column_name", None) or getattr(error, "constraint_name", None)
        super().__init__(
            f"{event_type} rows rejected by the database: {type(error).__name__}"
            f" (SQLSTATE {error.sqlstate}){f' on {where}' if where else ''}"
        )


# Set-based statements are planned for each span's own parameters. After five executions of a
# prepared statement PostgreSQL may settle on a generic plan; with that choice left to it, 1M-event
# ledger rebuilds here had phases of minutes at 2-3x their usual time, and none in 24 rounds with
# custom plans (bench/rebuild_rounds.py --ab plans). Planning them costs about 1 ms a batch.
CUSTOM_PLANS = "SELECT set_config('plan_cache_mode', 'force_custom_plan', true)"


class Writes:
    """The rows one batch of events produces, grouped by statement in the projection's order."""

    def __init__(self, order: Sequence[Statement]) -> None:
        self._order = tuple(order)
        self._rows: dict[Sql | Copy, list[Row]] = {
            s: [] for s in order if not isinstance(s, SetSql)
        }
        self._sets: dict[SetSql, SetRows] = {s: SetRows() for s in order if isinstance(s, SetSql)}

    def add(self, statement: Sql | Copy, *values: Any) -> None:
        """Queues one row; raises ``KeyError`` for a statement the projection did not declare."""
        self._rows[statement].append(values)

    def include(self, statement: SetSql, batch: Batch, i: int) -> None:
        """Puts event ``i`` of ``batch`` in ``statement``'s span: read from the table if stored
        in the current schema version, else decoded and upcast here."""
        rows = self._sets[statement]
        rows.seen = True
        if batch.schema_version(i) != statement.schema_version:
            rows.upcast.append(batch.event(i))

    async def flush(self, conn: Conn, span: Span) -> None:
        """Sends every queued row on ``conn`` (inside the caller's transaction), in statement
        order, and runs each set-based statement that has events in ``span``; then clears."""
        if any(rows.seen for rows in self._sets.values()):
            await conn.execute(CUSTOM_PLANS)
        for statement in self._order:
            if isinstance(statement, SetSql):
                await self._flush_set(conn, statement, span)
            else:
                await self._flush_rows(conn, statement)

    async def _flush_rows(self, conn: Conn, statement: Sql | Copy) -> None:
        rows = self._rows[statement]
        if not rows:
            return
        if isinstance(statement, Copy):
            await conn.copy_records_to_table(
                statement.table, records=rows, columns=list(statement.columns)
            )
        else:
            await conn.executemany(statement.sql, rows)
        rows.clear()

    async def _flush_set(self, conn: Conn, statement: SetSql, span: Span) -> None:
        rows = self._sets[statement]
        self._sets[statement] = SetRows()
        if not rows.seen:
            return
        try:
            await conn.execute(statement.sql, *rows.args(statement, span))
        except (asyncpg.DataError, asyncpg.IntegrityConstraintViolationError) as e:
            raise RowsRejected(statement.type_name, e) from None


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
        self._sets = {s.type_name: s for s in statements if isinstance(s, SetSql)}

    def on(
        self, event_type: type[E]
    ) -> Callable[[Callable[[Writes, StoredEvent, E], None]], Handler]:
        """Registers the decorated function as the handler of ``event_type`` (one per type)."""
        type_name = event_type.model_fields["type"].default

        def register(fn: Callable[[Writes, StoredEvent, E], None]) -> Handler:
            if type_name in self._handlers or type_name in self._sets:
                raise ValueError(f"projection {self.name} already handles {type_name}")
            self._handlers[type_name] = (event_type, fn)
            return fn

        return register

    @property
    def handled_types(self) -> frozenset[str]:
        return frozenset(self._handlers) | frozenset(self._sets)

    def wants(self, event_type: str) -> bool:
        """Whether events of ``event_type`` produce rows; others are only counted."""
        return event_type in self._handlers or event_type in self._sets

    def payload_needs(self) -> PayloadNeeds | None:
        """The payloads ``take`` decodes, for reads that leave the others in the database.

        A subclass that overrides ``wants`` or ``apply`` may decode anything, so it reads every
        payload (``None``) unless it overrides this too, saying what it decodes."""
        cls = type(self)
        if cls.wants is not Projection.wants or cls.apply is not Projection.apply:
            return None
        return self.registered_payloads()

    def registered_payloads(self) -> PayloadNeeds:
        """Its handlers' types at every schema version, and its set-based statements' types at
        any version but theirs (those are upcast in Python)."""
        return PayloadNeeds(
            frozenset(self._handlers), {t: s.schema_version for t, s in self._sets.items()}
        )

    def take(self, writes: Writes, batch: Batch, i: int) -> None:
        """Adds event ``i`` of ``batch``: to its set-based statement's span, or through ``apply``
        (decoding it) for a type read in Python."""
        statement = self._sets.get(batch.type(i))
        if statement is not None:
            writes.include(statement, batch, i)
        else:
            self.apply(writes, batch.event(i))

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
