"""Reads a practice's fee schedule file: the CSV a MAC's fee page or the CMS PFS look-up exports.

Accepted layout (the header row may follow title rows; names match without regard to case,
spaces, dashes or dots):

- a code column: ``HCPCS``, ``HCPCS Code``, ``CPT``, ``CPT/HCPCS``, ``Procedure Code`` or ``Code``;
- a non-facility amount column: ``Non-Facility Price``, ``Non-Facility Fee``, ``Non-Facility
  Amount``, ``Par Non-Facility Amount``, ``Par Non-Facility Fee``, ``Non Fac Price`` or
  ``Allowed`` (care management is billed at the non-facility rate of the billing location);
- optionally ``Modifier``/``Mod`` (rows with a modifier are other components, skipped) and
  ``Year`` (must match ``--year`` when both are given).

Amounts may carry ``$`` and thousands separators. Only the codes the engine bills are kept; any
other row is skipped. A bad row is refused with its line and column; nothing is imported then.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from care.codes import BILLABLE_CODES
from care.fees import FeeEntry

CODE_NAMES = ("hcpcs", "hcpcscode", "cpt", "cpthcpcs", "procedurecode", "code")
AMOUNT_NAMES = (
    "parnonfacilityamount", "parnonfacilityfee", "parnonfacilityprice", "nonfacilityprice",
    "nonfacilityfee", "nonfacilityamount", "nonfacprice", "allowed",
)  # fmt: skip
HEADER_SEARCH_ROWS = 25
_CODE = re.compile(r"^([0-9]{5}|[A-Z][0-9]{4})$")


class FeeFileError(ValueError):
    """The file cannot be imported; names the line and column (values are fees, never PHI)."""

    def __init__(self, line: int, column: str | None, reason: str) -> None:
        where = f"line {line}" + (f", column {column!r}" if column else "")
        super().__init__(f"{where}: {reason}")
        self.line = line
        self.column = column


@dataclass
class ParsedFees:
    """The billable codes' amounts, and how many rows were set aside and why."""

    year: int
    entries: list[FeeEntry] = field(default_factory=list)
    other_codes: int = 0
    component_rows: int = 0


def _key(name: str) -> str:
    return re.sub(r"[^a-z]", "", name.lower())


@dataclass(frozen=True)
class _Columns:
    code: int
    amount: int
    modifier: int | None
    year: int | None
    names: list[str]


def _columns(row: list[str]) -> _Columns | None:
    keys = [_key(c) for c in row]
    code = next((keys.index(n) for n in CODE_NAMES if n in keys), None)
    amount = next((keys.index(n) for n in AMOUNT_NAMES if n in keys), None)
    if code is None or amount is None:
        return None
    modifier = next((keys.index(n) for n in ("modifier", "mod") if n in keys), None)
    year = keys.index("year") if "year" in keys else None
    return _Columns(code, amount, modifier, year, [c.strip() for c in row])


def parse_fee_file(text: str, year: int | None, source: str) -> ParsedFees:
    """The billable amounts of one file; raises ``FeeFileError`` for the first bad row."""
    rows = _read_rows(text)
    found = next(
        ((i, c) for i, r in enumerate(rows[:HEADER_SEARCH_ROWS]) if (c := _columns(r))), None
    )
    if found is None:
        raise FeeFileError(1, None, "no header row with a code column and a non-facility amount")
    header, cols = found
    fees = ParsedFees(year=year or 0)
    seen: dict[str, int] = {}
    for index in range(header + 1, len(rows)):
        _row(_Line(rows[index], index + 1, cols), fees, seen, source)
    if not fees.entries:
        raise FeeFileError(header + 1, None, "no code the engine bills is in the file")
    return fees


def _read_rows(text: str) -> list[list[str]]:
    reader = csv.reader(io.StringIO(text))
    try:
        return list(reader)
    except csv.Error as exc:
        raise FeeFileError(reader.line_num, None, f"not readable as CSV ({exc})") from None


@dataclass(frozen=True)
class _Line:
    values: list[str]
    number: int
    cols: _Columns

    def cell(self, i: int) -> str:
        return self.values[i].strip() if i < len(self.values) else ""

    def error(self, i: int | None, reason: str) -> FeeFileError:
        return FeeFileError(self.number, self.cols.names[i] if i is not None else None, reason)


def _row(line: _Line, fees: ParsedFees, seen: dict[str, int], source: str) -> None:
    cols = line.cols
    code = line.cell(cols.code).upper()
    if not code:
        return  # blank or footer line
    if not _CODE.match(code):
        raise line.error(cols.code, f"{code[:12]!r} is not a HCPCS/CPT code")
    if code not in BILLABLE_CODES:
        fees.other_codes += 1
        return
    if cols.modifier is not None and line.cell(cols.modifier):
        fees.component_rows += 1
        return
    if code in seen:
        raise line.error(cols.code, f"{code} is listed twice (first on line {seen[code]})")
    seen[code] = line.number
    fees.year = _year(line, fees.year)
    amount = _amount(line)
    fees.entries.append(FeeEntry(year=fees.year, code=code, allowed=amount, source=source))


def _year(line: _Line, year: int) -> int:
    column = line.cols.year
    if column is None:
        if not year:
            raise line.error(None, "the file has no Year column: give --year")
        return year
    text = line.cell(column)
    if not text.isdigit() or not 2015 <= int(text) <= 2200:
        raise line.error(column, f"{text[:8]!r} is not a year from 2015 to 2200")
    if year and int(text) != year:
        raise line.error(column, f"year {text} is not the year being imported ({year})")
    return int(text)


def _amount(line: _Line) -> Decimal:
    column = line.cols.amount
    text = line.cell(column)
    try:
        amount = Decimal(text.replace("$", "").replace(",", "").strip())
    except InvalidOperation:
        raise line.error(column, f"{text[:16]!r} is not an amount") from None
    if not amount.is_finite() or amount < 0 or amount >= 100_000:
        raise line.error(column, f"{text[:16]!r} is not an amount from 0 to 99999.99")
    if amount != amount.quantize(Decimal("0.01")):
        raise line.error(column, f"{text[:16]!r} has more than two decimal places")
    return amount.quantize(Decimal("0.01"))
