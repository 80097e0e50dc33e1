"""Charges as CSV, for practices whose PM system imports charges instead of taking an 837P.

One row per service line; the patient is the opaque patient id (the PM's account mapping), so
the file carries no name or MBI.
"""

from __future__ import annotations

import csv
import io

from claims.provider import BillingProvider
from claims.x12_837 import ExportClaim, amount

COLUMNS = (
    "claim_id", "frequency", "patient_id", "service_month", "billing_npi", "practitioner_id",
    "place_of_service", "line", "code", "units", "date_of_service", "charge", "diagnoses",
)  # fmt: skip


def build_csv(provider: BillingProvider, claims: list[ExportClaim]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for c in claims:
        claim = c.claim
        for n, (line, charge) in enumerate(zip(claim.codes, c.line_charges, strict=True), 1):
            writer.writerow((
                claim.claim_id, c.frequency, claim.patient_id, claim.service_month, provider.npi,
                claim.practitioner_id, provider.place_of_service, n, line.code, line.units,
                line.date_of_service.isoformat(), amount(charge), " ".join(c.diagnoses),
            ))  # fmt: skip
    return out.getvalue()
