"""Every report in three formats: stable JSON, spreadsheet-friendly CSV, a readable table.

Pure rendering (no database): rows are built by hand.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from decimal import Decimal

from care.decision import ClaimLine
from projections.reports import BillingRow, FunnelRow
from projections.reports.render import cell, render


def billing_row(**changes: object) -> BillingRow:
    fields: dict[str, object] = {
        "patient_id": "p-1", "service_month": "2025-03", "bills": True, "track": "ccm_staff",
        "counted_minutes": 40, "clinical_staff_minutes": 40, "practitioner_minutes": 0,
        "codes": [
            ClaimLine(code="99490", units=1, date_of_service=date(2025, 3, 31)),
            ClaimLine(code="99439", units=1, date_of_service=date(2025, 3, 31)),
        ],
        "date_of_service": date(2025, 3, 31), "allowed": Decimal("106.42"),
        "patient_share": Decimal("21.28"), "expected_payment": Decimal("83.43"), "unpriced": [],
        "practitioner_id": "dr-1", "claim_id": "c-1", "claim_status": "paid",
        "submitted_at": None, "paid": Decimal("83.00"), "variance": Decimal("-0.43"),
        "reason_codes": ["PR-2", "CO-253"], "why": "40 counted minutes",
        "reasons": ["40 counted minutes"], "closed_at": None,
    }  # fmt: skip
    return BillingRow.model_validate({**fields, **changes})


def test_json_keeps_types_amounts_as_decimal_strings_and_codes_as_objects() -> None:
    [row] = json.loads(render([billing_row()], "json"))
    assert row["allowed"] == "106.42" and row["variance"] == "-0.43"
    assert row["codes"] == [
        {"code": "99490", "units": 1, "date_of_service": "2025-03-31"},
        {"code": "99439", "units": 1, "date_of_service": "2025-03-31"},
    ]
    assert row["bills"] is True and row["date_of_service"] == "2025-03-31"
    assert list(row) == list(BillingRow.model_fields)


def test_csv_has_every_field_with_flat_cells() -> None:
    [row] = list(csv.DictReader(io.StringIO(render([billing_row()], "csv"))))
    assert list(row) == list(BillingRow.model_fields)
    assert row["codes"] == "99490x1 99439x1" and row["reason_codes"] == "PR-2; CO-253"
    assert row["bills"] == "true" and row["submitted_at"] == ""


def test_the_table_shows_the_model_s_columns_aligned() -> None:
    text = render([billing_row(), billing_row(patient_id="p-22", paid=None)], "table")
    header, rule, first, second = text.splitlines()
    assert header.split() == list(BillingRow.TABLE_COLUMNS)
    assert len(rule) >= len(first) and first.index("ccm_staff") == second.index("ccm_staff")
    assert "99490x1 99439x1" in first and "yes" not in header


def test_a_line_dated_apart_from_the_claim_shows_its_date() -> None:
    g0506 = ClaimLine(code="G0506", units=1, date_of_service=date(2025, 3, 5))
    row = billing_row(codes=[*billing_row().codes, g0506])
    [line] = list(csv.DictReader(io.StringIO(render([row], "csv"))))
    assert line["codes"] == "99490x1 99439x1 G0506x1@2025-03-05"


def test_cells_and_empty_reports() -> None:
    assert cell(None) == "" and cell(False) == "no" and cell({"b": 1, "a": 2}) == '{"a":2,"b":1}'
    assert render([], "table") == "(no rows)\n" and render([], "json") == "[]\n"
    funnel = FunnelRow(
        phase="eligible", patients_now=1, entered=2, from_phase="identified",
        conversion=Decimal("0.667"), mean_days=None, median_days=None,
    )  # fmt: skip
    assert json.loads(render([funnel], "json"))[0]["conversion"] == "0.667"
