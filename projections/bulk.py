"""Set-based flush of a ``Sql`` statement: one COPY and one statement for a whole batch's rows.

``executemany`` runs a projection's INSERT ... ON CONFLICT or UPDATE once per row, and the
server's per-statement cost then dominates a catch-up. Here the rows are COPYed into a temporary
table (``pg_temp``, emptied at commit) and applied by ONE ``INSERT ... SELECT ... ON CONFLICT`` or
``UPDATE ... FROM``, derived from the statement's own text. That equals running it row by row
exactly when no two rows share the statement's key (the conflict target's values, or the
``col = $n`` pairs of an UPDATE's WHERE): each row then touches rows no other row touches. When
two rows do share a key, or the statement has another shape, the batch uses ``executemany``.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from projections.base import Conn

MIN_ROWS = 16  # below this, three round trips cost more than they save
_INSERT = re.compile(
    r"^\s*INSERT\s+INTO\s+(?P<table>\w+)\s*\((?P<cols>[\w\s,]*)\)\s*VALUES\s*\((?P<values>[^()]*)\)"
    r"\s*(?P<rest>ON\s+CONFLICT\s*\((?P<target>[\w\s,]*)\)\s+DO\s+.*)?$",
    re.S | re.I,
)
_UPDATE = re.compile(
    r"^\s*UPDATE\s+(?P<table>\w+)\s+SET\s+(?P<set>.*?)\s+WHERE\s+"
    r"(?P<where>\w+\s*=\s*\$\d+(?:\s+AND\s+\w+\s*=\s*\$\d+)*)\s*$",
    re.S | re.I,
)
_PARAM = re.compile(r"\$(\d+)")
_PAIR = re.compile(r"\w+\s*=\s*\$(\d+)")
_TYPES = "SELECT format_type(o, NULL) FROM unnest($1::oid[]) WITH ORDINALITY AS u(o, i) ORDER BY i"


@dataclass(frozen=True)
class Plan:
    stage: str  # the temporary table's name
    sql: str  # the set-based statement over pg_temp.<stage> s
    key: tuple[int, ...]  # 0-based parameter indexes no two rows may share


def _columns(s: str) -> list[str]:
    return [c.strip() for c in s.split(",")]


def _over_stage(sql: str) -> str:
    return _PARAM.sub(lambda m: f"s.c{m.group(1)}", sql)


def derive(sql: str) -> Plan | None:
    """The set-based form of ``sql``, or None when its shape is not one this module knows."""
    stage = "ccm_stage_" + hashlib.sha1(sql.encode()).hexdigest()[:16]
    source = f"FROM pg_temp.{stage} s"
    if m := _INSERT.match(sql):
        cols, values = _columns(m["cols"]), _columns(m["values"])
        if len(cols) != len(values):
            return None
        key: list[int] = []
        for col in _columns(m["target"]) if m["target"] else []:
            value = values[cols.index(col)] if col in cols else ""
            if not re.fullmatch(r"\$\d+", value):
                return None
            key.append(int(value[1:]) - 1)
        select = f"SELECT {_over_stage(m['values'])} {source} ORDER BY s.ord"
        rest = m["rest"] or ""
        return Plan(stage, f"INSERT INTO {m['table']} ({m['cols']}) {select} {rest}", tuple(key))
    if m := _UPDATE.match(sql):
        key = [int(n) - 1 for n in _PAIR.findall(m["where"])]
        body = f"UPDATE {m['table']} SET {_over_stage(m['set'])} {source}"
        return Plan(stage, f"{body} WHERE {_over_stage(m['where'])}", tuple(key))
    return None


_plans: dict[str, Plan | None] = {}
_stage_columns: dict[str, str] = {}


async def flush(conn: Conn, sql: str, rows: list[tuple[Any, ...]]) -> None:
    """Runs ``sql`` for every row of ``rows``, in one set-based statement when that is the same."""
    plan = _plans[sql] if sql in _plans else _plans.setdefault(sql, derive(sql))
    if plan is None or len(rows) < MIN_ROWS or _shares_a_key(plan.key, rows):
        await conn.executemany(sql, rows)
        return
    columns = _stage_columns.get(sql)
    if columns is None:
        params = (await conn.prepare(sql)).get_parameters()
        types = [r[0] for r in await conn.fetch(_TYPES, [p.oid for p in params])]
        columns = ", ".join(f"c{i} {t}" for i, t in enumerate(types, start=1))
        _stage_columns[sql] = columns
    # Created every time (a rolled-back transaction takes a table it created with it) and
    # emptied every time (one transaction may flush the same statement more than once: a
    # rebuild's swap applies several batches in one).
    await conn.execute(
        f"CREATE TEMP TABLE IF NOT EXISTS {plan.stage} (ord integer, {columns})"
        f" ON COMMIT DELETE ROWS; TRUNCATE pg_temp.{plan.stage}"
    )
    width = len(rows[0])
    await conn.copy_records_to_table(
        plan.stage,
        schema_name="pg_temp",
        records=[(i, *row) for i, row in enumerate(rows)],
        columns=["ord", *(f"c{n}" for n in range(1, width + 1))],
    )
    await conn.execute(plan.sql)


def _shares_a_key(key: tuple[int, ...], rows: list[tuple[Any, ...]]) -> bool:
    if not key:
        return False
    return len({tuple(row[i] for i in key) for row in rows}) < len(rows)
