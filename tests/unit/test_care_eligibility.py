"""Eligibility screening (domain §2): conditions by ICD-10-CM category, from the data table."""

from __future__ import annotations

import pytest

from care.eligibility import InvalidDiagnosisCode, screen
from care.icd10 import normalize_icd10
from care.policy import Policy

SCREENS = [
    pytest.param(
        ["E11.9", "E11.65"], "pcm", ["diabetes mellitus"], id="one category is one condition"
    ),
    pytest.param(
        ["E11.9", "I10"], "ccm", ["diabetes mellitus", "hypertensive disease"], id="two: CCM"
    ),
    pytest.param(["I16.0"], None, [], id="hypertensive crisis is acute"),
    pytest.param(["I21.4", "I63.9", "G45.9"], None, [], id="acute MI, stroke, TIA are acute"),
    pytest.param(["I70.211"], "pcm", ["peripheral vascular disease"], id="I70.2 subcategory"),
    pytest.param(["I70.0"], None, [], id="I70.0 is not I70.2"),
    pytest.param(
        ["I73.9", "E89.0"],
        "ccm",
        ["hypothyroidism", "peripheral vascular disease"],
        id="I73.9 E89.0",
    ),
    pytest.param(["E89.1"], None, [], id="E89.1 is not hypothyroidism"),
    pytest.param(["F10.20", "F19.10"], "pcm", ["substance use disorders"], id="F10-F19 one range"),
    pytest.param(
        ["C61", "N40.0"], "ccm", ["active cancer", "benign prostatic hyperplasia"], id="3-char code"
    ),
    pytest.param(
        ["e119", " I10 "],
        "ccm",
        ["diabetes mellitus", "hypertensive disease"],
        id="dotless and spaced",
    ),
    pytest.param([], None, [], id="no diagnoses"),
]


@pytest.mark.parametrize("codes, program, conditions", SCREENS)
def test_section_2_screening_table(
    codes: list[str], program: str | None, conditions: list[str]
) -> None:
    result = screen(codes)
    assert result.program == program
    assert result.conditions == conditions
    assert result.reasons


def test_esrd_is_flagged_for_the_conflict() -> None:
    result = screen(["N18.6", "I10"])
    assert result.program == "ccm"
    assert any("ESRD" in r for r in result.reasons)


@pytest.mark.parametrize("runs_apcm, program", [(True, "apcm"), (False, "pcm")])
def test_apcm_only_when_the_practice_runs_it_and_owns_primary_care(
    runs_apcm: bool, program: str
) -> None:
    result = screen(
        ["E11.9"], primary_care_responsible=True, policy=Policy(practice_runs_apcm=runs_apcm)
    )
    assert result.program == program


def test_apcm_for_any_beneficiary_even_without_conditions() -> None:
    result = screen([], primary_care_responsible=True, policy=Policy(practice_runs_apcm=True))
    assert result.program == "apcm" and "G0556" in result.reasons[0]


@pytest.mark.parametrize("bad", ["E1", "11.9", "U07.1", "E11.", "E11.12345", "E11-9", "", "E11.9;"])
def test_malformed_codes_are_rejected_naming_the_code(bad: str) -> None:
    with pytest.raises(InvalidDiagnosisCode) as info:
        screen(["I10", bad])
    assert info.value.code == bad
    assert repr(bad) in str(info.value)
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize("raw, normal", [("e11.65", "E11.65"), ("E1165", "E11.65"), ("C61", "C61")])
def test_codes_normalize_to_dotted_upper_case(raw: str, normal: str) -> None:
    assert normalize_icd10(raw) == normal
