"""Step 1, identify: diagnoses -> qualifying chronic conditions -> program, with the reasons."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict

from care.conditions import condition_row_for
from care.fields import Program
from care.icd10 import InvalidDiagnosisCode, normalize_icd10
from care.policy import DEFAULT_POLICY, Policy

__all__ = ["InvalidDiagnosisCode", "Program", "Screening", "apcm_level_code", "screen"]


class Screening(BaseModel):
    """The heuristic's answer; a clinician confirms it. ``program`` None means ineligible."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    program: Program | None
    conditions: list[str]
    reasons: list[str]


def screen(
    diagnoses: Sequence[str],
    *,
    primary_care_responsible: bool = False,
    policy: Policy | None = None,
) -> Screening:
    """Screens a patient's diagnoses; raises ``InvalidDiagnosisCode`` naming a malformed code.

    Order: APCM when the practice runs it and the practitioner is responsible for all primary
    care (CY2025 PFS final rule); CCM for two or more chronic conditions; PCM for one, which the
    clinician must confirm is complex (CY2020 PFS final rule); otherwise ineligible.
    """
    pol = policy or DEFAULT_POLICY
    matched: dict[str, list[str]] = {}
    notes: list[str] = []
    for code in diagnoses:
        row = condition_row_for(code)
        if row is None:
            continue
        normalized = normalize_icd10(code)
        matched.setdefault(row.condition, []).append(normalized)
        if normalized.startswith("N18.6"):
            # ESRD: ESRD monthly services (90951-90970) in a month block CCM (MLN909188).
            notes.append(f"{normalized} is ESRD: a month with ESRD services bills no CCM")
    conditions = sorted(matched)
    found = [f"{name} ({', '.join(sorted(set(codes)))})" for name, codes in sorted(matched.items())]
    program, why = _program(len(conditions), primary_care_responsible, pol)
    reasons = [why, *(["qualifying conditions: " + "; ".join(found)] if found else []), *notes]
    return Screening(program=program, conditions=conditions, reasons=reasons)


def _program(count: int, primary_care: bool, policy: Policy) -> tuple[Program | None, str]:
    if primary_care and policy.practice_runs_apcm:
        level = "G0556" if count < 2 else "G0557 (G0558 if QMB)"
        return "apcm", f"APCM: practitioner responsible for all primary care; level {level}"
    if count >= 2:
        return "ccm", f"CCM: {count} chronic conditions (MLN909188 needs two or more)"
    if count == 1:
        return "pcm", "PCM candidate: one chronic condition; a clinician confirms it is complex"
    return None, "ineligible: no qualifying chronic condition in the screening table"


def apcm_level_code(condition_count: int, qmb: bool) -> str:
    """APCM level by conditions and QMB status (CY2025 PFS final rule): G0556/G0557/G0558."""
    if condition_count < 2:
        return "G0556"
    return "G0558" if qmb else "G0557"
