"""Policies (every **Policy:** of the domain reference) live in one model, set from CCM_POLICY_*."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from care.policy import DEFAULT_POLICY, Policy


def test_defaults_are_the_domain_references_policy_lines() -> None:
    p = DEFAULT_POLICY
    assert (p.addon_cap_99439, p.addon_cap_99437) == (2, 1)
    assert (p.addon_cap_99489, p.addon_cap_99425, p.addon_cap_99427) == (None, None, None)
    assert p.revocation_cutoff == "timestamp"
    assert p.conflicts_block_whoever_billed is True
    assert p.bill_on_threshold_day is False
    assert (p.grace_days, p.at_risk_check_day) == (3, 20)
    assert p.consent_annual_reattestation is False
    assert p.practice_runs_apcm is False
    assert (p.outreach_attempts, p.outreach_window_days) == (3, 30)


def test_from_env_reads_prefixed_variables_and_ignores_others() -> None:
    env = {
        "CCM_POLICY_ADDON_CAP_99437": "none",
        "CCM_POLICY_ADDON_CAP_99489": "2",
        "CCM_POLICY_PRACTICE_RUNS_APCM": "true",
        "CCM_POLICY_REVOCATION_CUTOFF": "month_end",
        "CCM_POLICY_GRACE_DAYS": "5",
        "CCM_DATABASE_URL": "postgresql://elsewhere",
    }
    p = Policy.from_env(env)
    assert p.addon_cap_99437 is None and p.addon_cap_99489 == 2
    assert p.practice_runs_apcm and p.revocation_cutoff == "month_end" and p.grace_days == 5
    assert Policy.from_env({}) == DEFAULT_POLICY


@pytest.mark.parametrize(
    "name, value",
    [("GRACE_DAYS", "soon"), ("REVOCATION_CUTOFF", "never"), ("ADDON_CAP_99439", "-1")],
)
def test_from_env_rejects_bad_values_naming_the_field(name: str, value: str) -> None:
    with pytest.raises(ValidationError) as info:
        Policy.from_env({f"CCM_POLICY_{name}": value})
    assert name.lower() in str(info.value)


def test_policy_is_frozen_and_forbids_unknown_settings() -> None:
    with pytest.raises(ValidationError):
        Policy.model_validate({"addon_cap_99999": 1})
    with pytest.raises(ValidationError):
        DEFAULT_POLICY.grace_days = 4  # type: ignore[misc]
