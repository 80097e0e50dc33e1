"""Every care-rule policy in one place: where public sources disagree, the practice decides.

A compliance officer changes one for a practice with ``ccm policy set`` (a versioned
``PolicyChanged``, in force from a month on) and never touches code; ``CCM_POLICY_<FIELD>``
variables feed ``ccm billing evaluate`` and ``ccm policy set --from-env``. Each default below is
the domain reference's **Policy:** line, with its source.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

Cap = Annotated[int, Field(ge=0)] | None

ENV_PREFIX = "CCM_POLICY_"
# The loosest plausibility windows a practice may set. The feed reader, before it knows a line's
# practice, refuses only what no practice could accept; the workflow applies the practice's own.
WIDEST_WINDOWS = {
    "future_tolerance_minutes": 24 * 60,
    "max_event_age_days": 3650,
    "max_documentation_lag_days": 3650,
}


class Policy(BaseModel):
    """The practice's choices where CMS guidance is silent, ambiguous or optional."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    # Add-on caps per month (None = no cap). 99439 x2 is CPT's own limit (CY2022 PFS final rule);
    # 99437 x1 is unconfirmed in CMS text, so it is a setting; CMS set no cap for 99489 or the
    # PCM add-ons 99425/99427 (CY2022 PFS final rule).
    addon_cap_99439: Cap = 2
    addon_cap_99437: Cap = 1
    addon_cap_99489: Cap = None
    addon_cap_99425: Cap = None
    addon_cap_99427: Cap = None

    # "timestamp": nothing after the revocation's moment counts (conservative). "month_end": the
    # revocation is effective at the end of the month (MLN909188), so the month's minutes all count.
    revocation_cutoff: Literal["timestamp", "month_end"] = "timestamp"

    # G0181/G0182/ESRD 90951-90970 in the month block CCM whoever billed them (MLN909188 names the
    # services; whether only the same practitioner is barred is unclear, so block conservatively).
    conflicts_block_whoever_billed: bool = True

    # Which track bills when the month's facts qualify for several (domain §5): "highest_allowed"
    # bills the one with the highest allowed amount (the practitioner's time may count toward
    # 99490/99439, MLN909188 and CMS FAQ 2017; CPT forbids 99491 with 99490/99487/99489 in one
    # month); "fixed_order" applies complex, then practitioner (staff under 20), then staff.
    track_choice: Literal["highest_allowed", "fixed_order"] = "highest_allowed"

    # Medicare's payment is reduced by the payment sequestration (2% at the time of writing,
    # Budget Control Act of 2011 as extended); expected payment = allowed x 80% x (1 - this).
    sequestration_percent: Decimal = Field(default=Decimal("2"), ge=0, le=10)

    # Date of service: the last day of the month (claim held until every add-on unit is known).
    # CMS also allows the day the threshold is met (CMS CCM FAQ 2016); off by default.
    bill_on_threshold_day: bool = False

    # Month close waits this many days after the month for late documentation.
    grace_days: int = Field(default=3, ge=0, le=28)

    # Day of the month on which a patient short of the threshold is flagged at risk.
    at_risk_check_day: int = Field(default=20, ge=1, le=28)

    # The practice's usual pace: care-management minutes it can give one patient per working day.
    usual_pace_minutes_per_day: int = Field(default=5, ge=1, le=480)

    # Consent does not expire (MLN909188); an annual re-attestation is optional, off.
    consent_annual_reattestation: bool = False

    # APCM (G0556-G0558, CY2025 PFS final rule) is offered only if the practice runs it.
    practice_runs_apcm: bool = False

    # Plausibility windows of upstream facts (events.plausible): a date outside them is a typo or
    # a wrong unit and is refused, never stored. Upstream clocks drift by up to a few minutes;
    # a backfill older than max_event_age_days, or care documented more than
    # max_documentation_lag_days after it happened, is refused (a practice onboarding an older
    # history raises them).
    future_tolerance_minutes: int = Field(
        default=5, ge=0, le=WIDEST_WINDOWS["future_tolerance_minutes"]
    )
    max_event_age_days: int = Field(default=730, ge=1, le=WIDEST_WINDOWS["max_event_age_days"])
    max_documentation_lag_days: int = Field(
        default=365, ge=1, le=WIDEST_WINDOWS["max_documentation_lag_days"]
    )

    # Enrollment outreach: attempts before "unreachable", within this many days.
    outreach_attempts: int = Field(default=3, ge=1, le=20)
    outreach_window_days: int = Field(default=30, ge=1, le=365)

    # Claims review (issue 15): a closed month's claim waits for a person unless the practice
    # lets its policy approve months that meet every rule below (recorded as approved by the
    # policy version). Off by default: a person approves.
    claims_auto_approve: bool = False
    claims_auto_approve_max_amount: Decimal | None = Field(default=None, ge=0)  # allowed, under
    claims_auto_approve_require_no_excluded: bool = True  # no time entry excluded by a rule
    claims_auto_approve_require_no_late: bool = True  # no documentation after the close
    # Reconciliation lists a submitted claim without a remittance after this many days as unpaid
    # (Medicare pays a clean electronic claim after 14 days at the earliest; 30 is a common
    # follow-up point).
    claims_unpaid_after_days: int = Field(default=30, ge=1, le=365)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Policy:
        """Reads ``CCM_POLICY_<FIELD>`` variables; unset ones keep the defaults.

        ``none`` (any case) or an empty value sets an optional cap to "no cap". Raises pydantic's
        ``ValidationError`` naming the field and value when a variable does not parse.
        """
        source = os.environ if env is None else env
        given = {name: source[ENV_PREFIX + name.upper()] for name in cls.model_fields
                 if ENV_PREFIX + name.upper() in source}  # fmt: skip
        return cls().with_changes(given)

    def with_changes(self, changes: Mapping[str, str]) -> Policy:
        """This policy with ``changes`` (field name -> text, as typed by an operator) applied.

        Raises ``UnknownPolicyField`` for a name that is no policy, pydantic's
        ``ValidationError`` (naming field and value) for a value that does not parse.
        """
        unknown = sorted(set(changes) - set(type(self).model_fields))
        if unknown:
            raise UnknownPolicyField(unknown[0])
        parsed = {
            name: None if raw.strip().lower() in ("", "none") else raw.strip()
            for name, raw in changes.items()
        }
        return type(self).model_validate({**self.model_dump(mode="json"), **parsed})


class UnknownPolicyField(ValueError):
    """A change names no policy field; the message lists the known ones."""

    def __init__(self, name: str) -> None:
        known = ", ".join(Policy.model_fields)
        super().__init__(f"field {name}: no such policy (policies: {known})")
        self.field = name


DEFAULT_POLICY = Policy()
EDGE_POLICY = Policy.model_validate(WIDEST_WINDOWS)
