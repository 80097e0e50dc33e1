"""Reading a practice's fee schedule file: the layouts accepted, and each refusal by line/column."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from billing.fee_import import FeeFileError, parse_fee_file

MAC_EXPORT = """\
Medicare Physician Fee Schedule 2026,,,
Locality 01 - Manhattan,,,
HCPCS,MOD,PAR NON-FACILITY AMOUNT,PAR FACILITY AMOUNT
99490,,"$72.41",$49.10
99439,,55.02,40.00
99490,26,10.00,10.00
99213,,101.23,80.00
G0506,,66.00,50.00
"""

LOOKUP_EXPORT = """\
Year,HCPCS Code,Modifier,Short Descriptor,Non-Facility Price,Facility Price
2026,99491,,Chrnc care mgmt phys 1st 30,"1,089.50",70.00
2026,99487,,Cplx chrnc care 1st 60 min,140.10,90.00
"""


def test_a_mac_export_with_title_rows_keeps_the_billable_codes() -> None:
    fees = parse_fee_file(MAC_EXPORT, 2026, source="mac.csv")
    assert [(e.code, e.allowed) for e in fees.entries] == [
        ("99490", Decimal("72.41")), ("99439", Decimal("55.02")), ("G0506", Decimal("66.00")),
    ]  # fmt: skip
    assert (fees.year, fees.other_codes, fees.component_rows) == (2026, 1, 1)
    assert {e.source for e in fees.entries} == {"mac.csv"}


def test_a_lookup_export_with_a_year_column_needs_no_year_flag() -> None:
    fees = parse_fee_file(LOOKUP_EXPORT, None, source="lookup.csv")
    assert [(e.year, e.code, e.allowed) for e in fees.entries] == [
        (2026, "99491", Decimal("1089.50")), (2026, "99487", Decimal("140.10")),
    ]  # fmt: skip


@pytest.mark.parametrize(
    "text, year, message",
    [
        pytest.param("a,b\n1,2\n", 2026, "line 1: no header row", id="no header"),
        pytest.param(
            "HCPCS,Non-Facility Price\n99490,abc\n",
            2026,
            "line 2, column 'Non-Facility Price': 'abc' is not an amount",
            id="amount not a number",
        ),
        pytest.param(
            "HCPCS,Non-Facility Price\n99490,-3\n", 2026, "not an amount from 0", id="negative"
        ),
        pytest.param(
            "HCPCS,Non-Facility Price\n99490,60.499\n", 2026, "more than two decimal", id="cents"
        ),
        pytest.param(
            "HCPCS,Non-Facility Price\n99490,60\n99490,61\n",
            2026,
            "line 3, column 'HCPCS': 99490 is listed twice (first on line 2)",
            id="twice",
        ),
        pytest.param(
            "HCPCS,Non-Facility Price\n9949O,60\n", 2026, "'9949O' is not a HCPCS", id="bad code"
        ),
        pytest.param(
            "HCPCS,Non-Facility Price\n99490,60\n", None, "no Year column: give --year", id="year"
        ),
        pytest.param(
            "Year,HCPCS,Non-Facility Price\n2025,99490,60\n",
            2026,
            "year 2025 is not the year being imported (2026)",
            id="year mismatch",
        ),
        pytest.param(
            "HCPCS,Non-Facility Price\n99213,60\n", 2026, "no code the engine bills", id="none"
        ),
        pytest.param(
            'HCPCS,Allowed\n"99490\x00",1\n', 2026, "line 2, column 'HCPCS'", id="NUL in a code"
        ),
    ],
)
def test_a_bad_file_is_refused_by_line_and_column(
    text: str, year: int | None, message: str
) -> None:
    with pytest.raises(FeeFileError, match=re.escape(message)):
        parse_fee_file(text, year, source="f.csv")
