"""``ccm billing evaluate FILE|-``: "what does this month bill, and why?" for billing staff.

Reads one JSON document of a patient-month's facts (``care.facts.MonthFacts``) and prints the
decision of ``care.month.evaluate_month``, the same function the workflow calls at month close.
Exit 0 on a decision (including "bills nothing"), 2 on invalid input with the field named.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pydantic import ValidationError

from care.facts import MonthFacts
from care.month import evaluate_month
from care.policy import Policy

FIELDS_HELP = """\
input fields (JSON object; optional fields default to empty/false/null):
  service_month        "YYYY-MM", the calendar month to evaluate (required)
  timezone             IANA zone of the practice, e.g. "America/New_York" (required)
  program              "ccm" | "pcm" | "apcm" (required)
  conditions           ICD-10-CM codes, e.g. ["E11.9", "I10"] (APCM level counts conditions)
  qmb                  true for a Qualified Medicare Beneficiary: owes no coinsurance
  complex_mdm          true when moderate/high medical decision making is recorded this month
  last_visit_on        "YYYY-MM-DD", last face-to-face visit before consent; null = new patient
  initiating_visit     null or {"on": date, "code": "99214", "g0506": bool}
  g0506_billed_before  true if this billing practitioner already billed G0506 for the patient
  consent_at           ISO timestamp with offset of the documented consent, or null
  care_plan_at         ISO timestamp when the comprehensive care plan came into force, or null
  time_entries         [{"id", "staff_id", "role": clinical_staff|practitioner|non_clinical,
                         "minutes" + "at"  OR  "start" + "end",
                         "counted_toward": null|em|tcm|rpm|bhi}]
  inpatient_stays      [{"admitted_at": timestamp, "discharged_at": timestamp|null}]
  other_services       [{"code": "G0181", "on": date, "by_billing_practitioner": bool}]
  ccm_billed_elsewhere true if another practitioner billed care management this month
  revoked_at           timestamp of a revocation, or null
  died_on              date of death, or null

output: service_month, track (ccm_staff|ccm_practitioner|ccm_complex|pcm_staff|pcm_practitioner|
apcm|null), codes [{code, units, date_of_service}] (G0506 dated with the initiating visit),
counted_minutes, minutes_by_role, date_of_service, allowed_amount, patient_share,
expected_payment (decimal strings; null if unpriced), unpriced, excluded [{entry, reason,
minutes}], reasons, candidates [{track, codes, allowed, priced_year}], fee_schedule. Amounts are
the national fee schedule's; policies come from CCM_POLICY_<FIELD> variables.
"""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("billing", help="billing rules for operators")
    actions = parser.add_subparsers(dest="billing_command", required=True, metavar="ACTION")
    evaluate = actions.add_parser(
        "evaluate",
        help="decide what one patient-month bills, and why",
        description="Evaluate one patient-month's facts and print the billing decision as JSON.",
        epilog=FIELDS_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    evaluate.add_argument("file", metavar="FILE", help="JSON facts file, or - for standard input")
    evaluate.set_defaults(handler=run_evaluate)


def run_evaluate(args: argparse.Namespace) -> int:
    """Prints the decision (exit 0) or one line naming the bad field and value (exit 2)."""
    try:
        text = sys.stdin.read() if args.file == "-" else Path(args.file).read_text("utf-8")
    except OSError as exc:
        return _fail(f"cannot read {args.file}: {exc.strerror}")
    try:
        policy = Policy.from_env()
    except ValidationError as exc:
        return _fail("policy " + describe_error(exc, prefix="CCM_POLICY_"))
    try:
        facts = MonthFacts.model_validate_json(text)
    except ValidationError as exc:
        return _fail(describe_error(exc))
    print(evaluate_month(facts, policy).model_dump_json(indent=2))
    return 0


def describe_error(exc: ValidationError, prefix: str = "") -> str:
    """The first error as ``field time_entries[1].minutes: <message> (got 0)``."""
    err = exc.errors()[0]
    if err["type"] == "json_invalid":
        return f"invalid JSON: {err['msg']}"
    path = ""
    for part in err["loc"]:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    where = f"field {prefix}{path.upper() if prefix else path}" if path else "input"
    value = err.get("input")
    shown = "" if isinstance(value, dict | list) else f" (got {value!r:.60})"
    return f"{where}: {err['msg']}{shown}"


def _fail(message: str) -> int:
    print(f"ccm billing evaluate: {message}", file=sys.stderr)
    return 2
