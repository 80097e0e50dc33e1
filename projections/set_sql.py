"""Set-based statements: a projection's rows computed inside PostgreSQL from the stored events.

A ``SetSql`` statement runs once per batch, not once per event: it reads the events of its one
type straight from the ``events`` table (positions in the batch's span) and extracts the fields
it needs with PostgreSQL's JSON operators, so those events are never sent to Python, decoded or
sent back as rows. Stored events were validated in full when they were appended; a row written
by some other hand still fails the statement's casts or the table's NOT NULL and CHECK rules,
which sets its patient aside like any other projection failure.

Only events of the model's current schema version are read from the table. Older ones are
upcast in Python (``events.upcasters``, the one definition of each upgrade) and passed along as
current-version JSON, so the statement sees every event of its type in one current shape.

The statement body refers to ``src`` (``position``, ``stream``, ``recorded_at``, ``p``: the
payload as jsonb) and must give the same result as applying the span's events one by one: where
two events of the span write the same row, it resolves them in position order itself (for
example ``DISTINCT ON (key) ... ORDER BY key, position DESC`` for last-wins).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from events.base import PatientEvent
from events.store import StoredEvent

# The events of a span: positions in ($1, $2], never of a stream set aside ($3), only of stream
# $4 when it is given. A body that reads other types of the span from ``events`` filters with it.
IN_SPAN = """position > $1 AND position <= $2
        AND stream <> ALL($3::text[]) AND ($4::text IS NULL OR stream = $4)"""

# OFFSET 0 keeps the planner from inlining ``payload::jsonb`` into every use of ``p``.
SOURCE = f"""
WITH src AS MATERIALIZED (
    SELECT position, stream, recorded_at, payload::jsonb AS p FROM events
    WHERE {IN_SPAN} AND type = $5 AND schema_version = $6
    UNION ALL
    SELECT * FROM unnest($7::bigint[], $8::text[], $9::timestamptz[], $10::jsonb[])
    OFFSET 0
)
"""


@dataclass(frozen=True)
class Span:
    """The events one flush covers: positions in ``(after, last]``, skipping the ``aside``
    streams, and only ``stream``'s when it is set (a quarantined patient's retry)."""

    after: int
    last: int
    aside: frozenset[str] = frozenset()
    stream: str | None = None


@dataclass(frozen=True, eq=False)
class SetSql:
    """A statement over every event of ``event_type`` in a span; ``body`` reads ``src``."""

    event_type: type[PatientEvent]
    body: str

    @property
    def type_name(self) -> str:
        return str(self.event_type.model_fields["type"].default)

    @property
    def schema_version(self) -> int:
        return int(self.event_type.model_fields["schema_version"].default)

    @property
    def sql(self) -> str:
        return SOURCE + self.body


@dataclass
class SetRows:
    """What a batch holds for one ``SetSql``: whether any event, and the upcast older ones."""

    seen: bool = False
    upcast: list[StoredEvent] = field(default_factory=list)

    def args(self, statement: SetSql, span: Span) -> tuple[object, ...]:
        """The statement's parameters for ``span``."""
        return (
            span.after,
            span.last,
            sorted(span.aside),
            span.stream,
            statement.type_name,
            statement.schema_version,
            [s.position for s in self.upcast],
            [s.stream for s in self.upcast],
            [s.recorded_at for s in self.upcast],
            [s.event.model_dump_json() for s in self.upcast],
        )
