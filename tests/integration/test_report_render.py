"""Every report in three formats: stable JSON, spreadsheet-friendly CSV, a readable table.

Pure rendering (no database): rows are built by hand.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from decimal import Decimal

from care.decision import CodeUnits
from projections.reports import BillingRow, FunnelRow
from projections.reports.render import cell, render


def billing_row(**changes: object) -> BillingRow:
    fields: dict[str, object] = {
        "patient_id": "p-1", "service_month": "2025-03", "bills": True, "track": "ccm_staff",
        "counted_minutes": 40, "clinical_staff_minutes": 40, "practitioner_minutes": 0,
        "codes": [CodeUnits(code="99490", units=1), CodeUnits(code="99439", units=1)],
        "date_of_service": date(2025, 3, 31), "expected_allowed": Decimal("106.42"),
        "patient_share": Decimal("21.28"), "expected_payment": Decimal("85.14"), "unpriced": [],
        "practitioner_id": "dr-1", "claim_id": "c-1", "claim_status": "paid",
        "submitted_at": None, "paid_amount": Decimal("83.00"), "difference": Decimal("-2.14"),
        "reason_codes": ["CO-45", "PR-2"], "closed_at": None,
    }  # fmt: skip
    return BillingRow.model_validate({**fields, **changes})


def test_json_keeps_types_amounts_as_decimal_strings_and_codes_as_objects() -> None:
    [row] = json.loads(render([billing_row()], "json"))
    assert row["expected_allowed"] == "106.42" and row["difference"] == "-2.14"
    assert row["codes"] == [{"code": "99490", "units": 1}, {"code": "99439", "units": 1}]
    assert row["bills"] is True and row["date_of_service"] == "2025-03-31"
    assert list(row) == list(BillingRow.model_fields)


def test_csv_has_every_field_with_flat_cells() -> None:
    [row] = list(csv.DictReader(io.StringIO(render([billing_row()], "csv"))))
    assert list(row) == list(BillingRow.model_fields)
    assert row["codes"] == "99490x1 99439x1" and row["reason_codes"] == "CO-45; PR-2"
    assert row["bills"] == "true" and row["submitted_at"] == ""


def test_the_table_shows_the_model_s_columns_aligned() -> None:
    text = render([billing_row(), billing_row(patient_id="p-22", paid_amount=None)], "table")
    header, rule, first, second = text.splitlines()
    assert header.split() == list(BillingRow.TABLE_COLUMNS)
    assert len(rule) >= len(first) and first.index("ccm_staff") == second.index("ccm_staff")
    assert "99490x1 99439x1" in first and "yes" not in header


def test_cells_and_empty_reports() -> None:
    assert cell(None) == "" and cell(False) == "no" and cell({"b": 1, "a": 2}) == '{"a":2,"b":1}'
    assert render([], "table") == "(no rows)\n" and render([], "json") == "[]\n"
    funnel = FunnelRow(
        phase="eligible", patients_now=1, entered=2, from_phase="identified",
        conversion=Decimal("0.667"), mean_days=None, median_days=None,
    )  # fmt: skip
    assert json.loads(render([funnel], "json"))[0]["conversion"] == "0.667"
