"""Which stored payloads a reader of the global order needs: the rest stay in the database.

A projection reads most of its events' payloads inside PostgreSQL (``projections.set_sql``) or
not at all (types it does not want); fetching them anyway sent the whole store over the socket:
a raw read of 1M events took 3.8 s with them, 1.5 s without (``bench/rebuild_rounds.py --ab
payloads`` compares whole rebuilds). A read given ``PayloadNeeds`` returns every row, in order,
with its columns, and the payload only where the reader will decode it: the no-skip guarantee
and every row's identity stay as in a full read.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

# $3: types decoded at any schema version; $4/$5: types read in the database, each with the one
# schema version the database reads (any other version must be upcast in Python, so is sent).
# A type in neither gives NULL: array_position is NULL, so is the comparison, and CASE says no.
READ_ALL_NEEDED = """
SELECT position, stream, version, event_id, type, schema_version, recorded_at,
    CASE WHEN type = ANY($3::text[])
           OR schema_version <> ($5::int[])[array_position($4::text[], type)]
         THEN payload END AS payload
FROM events WHERE position > $1 ORDER BY position LIMIT $2
"""


@dataclass(frozen=True)
class PayloadNeeds:
    """Rows whose payload a reader decodes: every row of a ``decoded`` type, and a row of an
    ``in_database`` type only when stored at another schema version than the one mapped."""

    decoded: frozenset[str] = frozenset()
    in_database: Mapping[str, int] = field(default_factory=dict)

    def needs(self, type_: str, schema_version: int) -> bool:
        """Whether a row of this type and version is read with its payload (as the SQL says)."""
        if type_ in self.decoded:
            return True
        version = self.in_database.get(type_)
        return version is not None and version != schema_version

    def args(self) -> tuple[list[str], list[str], list[int]]:
        """``READ_ALL_NEEDED``'s parameters after the position and the limit."""
        types = sorted(self.in_database)
        return sorted(self.decoded), types, [self.in_database[t] for t in types]


def union(needs: Iterable[PayloadNeeds | None]) -> PayloadNeeds | None:
    """What readers sharing one read need together; ``None`` (every payload) if any needs all.

    A type one reader decodes and another reads in the database is decoded: sent at every
    version."""
    decoded: set[str] = set()
    in_database: dict[str, int] = {}
    for need in needs:
        if need is None:
            return None
        decoded |= need.decoded
        for type_, version in need.in_database.items():
            if in_database.setdefault(type_, version) != version:
                decoded.add(type_)  # two current versions of one type: read it everywhere
    for type_ in decoded:
        in_database.pop(type_, None)
    return PayloadNeeds(frozenset(decoded), in_database)
