"""The canonical encoding behind the hash chains: what is hashed, byte for byte.

Two hashes per event, both SHA-256:

- ``digest`` covers the content, computed by the writer before the append:
  ``u32(len(key)) key  u32(len(type)) type  u32(schema_version)  payload``
  where strings are UTF-8, ``u32``/``i64`` are big-endian, and ``payload`` is the exact JSON text
  stored in ``events.payload`` (a ``json`` column keeps that text verbatim).
- ``hash`` links the event to its stream's previous one, computed inside ``ccm_append``
  (db/sql/0001_event_store.sql) because only the database knows the previous link, the version
  and the position at commit time:
  ``prev_hash  digest  i64(version)  i64(position)  i64(recorded_at_us)  stream``
  (``recorded_at_us``: microseconds since the Unix epoch)
  with ``prev_hash`` = 32 zero bytes for a stream's first event.

Every field before ``stream`` and ``payload`` has a fixed width or a length prefix, so no two
different events encode to the same bytes. ``events/verify.py`` recomputes both with the functions
below; the SQL and this module must change together.
"""

from __future__ import annotations

import hashlib
import struct
from datetime import UTC, datetime, timedelta

GENESIS = bytes(32)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_U32 = struct.Struct(">I")
_LINK_INTS = struct.Struct(">qqq")


def content_digest(store_key: str, type_: str, schema_version: int, payload: str) -> bytes:
    """SHA-256 of an event's content: store key, type, schema version and stored JSON text."""
    key = store_key.encode()
    name = type_.encode()
    return hashlib.sha256(
        b"".join(
            (
                _U32.pack(len(key)),
                key,
                _U32.pack(len(name)),
                name,
                _U32.pack(schema_version),
                payload.encode(),
            )
        )
    ).digest()


def epoch_micros(at: datetime) -> int:
    """Microseconds since the Unix epoch, exactly (PostgreSQL timestamptz resolution)."""
    return (at - _EPOCH) // timedelta(microseconds=1)


def link_hash(
    prev: bytes, digest: bytes, stream: str, version: int, position: int, recorded_at: datetime
) -> bytes:
    """SHA-256 chaining one event to the previous one in its stream (mirrors ``ccm_append``)."""
    ints = _LINK_INTS.pack(version, position, epoch_micros(recorded_at))
    return hashlib.sha256(prev + digest + ints + stream.encode()).digest()
