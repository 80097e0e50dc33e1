"""The ``eventsourcing`` library's PostgreSQL recorder, driven the way bench/side_by_side.py
drives the store: the same payloads, one stream per round, on the same server.

Its recorder is synchronous (psycopg 3); the harness calls it from a thread so the event loop of
the asyncpg pool is not involved. Only the recorder is measured (no aggregates, no mapper), so its
figures are its floor: the payload is handed over already encoded, as it is to raw asyncpg.
"""

from __future__ import annotations

import time
import uuid
from urllib.parse import parse_qs, urlsplit

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore

from bench.event_store import raw_rows

TABLE = "es_stored_events"
# The library's ``originator_version`` starts at its own first version; any consistent start works.
FILL = f"""
INSERT INTO {TABLE} (originator_id, originator_version, topic, state)
SELECT md5(stream)::uuid, version, type, convert_to(payload::text, 'UTF8')
FROM events WHERE position <= $1 ORDER BY position
"""


class Library:
    """One recorder (pool of one connection, as the harness's appends are sequential)."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        host = parse_qs(parts.query).get("host", [parts.hostname or "localhost"])[0]
        self.datastore = PostgresDatastore(
            dbname=parts.path.lstrip("/"), host=host, port=parts.port or 5432,
            user=parts.username or "postgres", password=parts.password or "",
        )  # fmt: skip
        self.datastore.pool.open()
        self.recorder = PostgresApplicationRecorder(self.datastore, events_table_name=TABLE)
        self.recorder.create_table()

    def close(self) -> None:
        self.datastore.close()

    def append(self, tag: str, per_call: int, calls: int) -> float:
        """Seconds for ``calls`` inserts of ``per_call`` events each into one new stream."""
        rows = raw_rows(f"{tag}-es{per_call}", per_call * calls)
        originator = uuid.uuid4()
        events = [
            StoredEvent(originator_id=originator, originator_version=version,
                        topic=row[3], state=row[5].encode())
            for version, row in enumerate(rows, start=1)
        ]  # fmt: skip
        started = time.perf_counter()
        for c in range(calls):
            self.recorder.insert_events(events[c * per_call : (c + 1) * per_call])
        return time.perf_counter() - started

    def read(self, total: int, page: int = 1000) -> float:
        """Seconds to read ``total`` notifications in application order (state left encoded)."""
        started, start, seen = time.perf_counter(), 1, 0
        while seen < total:
            notes = self.recorder.select_notifications(start, page)
            if not notes:
                break
            start, seen = notes[-1].id + 1, seen + len(notes)
        return time.perf_counter() - started
