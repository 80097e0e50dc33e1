"""Code selection (domain §5): thresholds, add-on blocks and caps, and the fixed track order."""

from __future__ import annotations

import pytest

from care.codes import add_on_units, codes_for, fixed_order_track
from care.decision import Track
from care.policy import Policy


@pytest.mark.parametrize(
    "counted, units", [(19, 0), (20, 0), (39, 0), (40, 1), (59, 1), (60, 2), (100, 2)]
)
def test_99439_needs_each_full_20_minutes_and_stops_at_two(counted: int, units: int) -> None:
    assert add_on_units(counted, base=20, block=20, cap=2) == units


@pytest.mark.parametrize(
    "track, minutes, expected",
    [
        pytest.param(Track.ccm_staff, 19, [], id="99490 needs 20"),
        pytest.param(Track.ccm_staff, 60, [("99490", 1), ("99439", 2)], id="99439 cap 2"),
        pytest.param(Track.ccm_practitioner, 59, [("99491", 1)], id="99437 needs a full 30"),
        pytest.param(Track.ccm_practitioner, 120, [("99491", 1), ("99437", 1)], id="99437 cap 1"),
        pytest.param(Track.ccm_complex, 150, [("99487", 1), ("99489", 3)], id="99489 no cap"),
        pytest.param(Track.pcm_practitioner, 95, [("99424", 1), ("99425", 2)], id="99425 no cap"),
        pytest.param(Track.pcm_staff, 29, [], id="99426 needs 30"),
        pytest.param(Track.pcm_staff, 90, [("99426", 1), ("99427", 2)], id="99427 no cap"),
    ],
)
def test_section_5_codes_per_track_with_default_caps(
    track: Track, minutes: int, expected: list[tuple[str, int]]
) -> None:
    assert [(c.code, c.units) for c in codes_for(track, minutes, Policy())] == expected


def test_caps_are_policy_settings() -> None:
    policy = Policy(addon_cap_99437=None, addon_cap_99489=1)
    assert [(c.code, c.units) for c in codes_for(Track.ccm_practitioner, 120, policy)] == [
        ("99491", 1),
        ("99437", 3),
    ]
    assert [(c.code, c.units) for c in codes_for(Track.ccm_complex, 150, policy)] == [
        ("99487", 1),
        ("99489", 1),
    ]


TRACK_ORDER = [
    pytest.param("ccm", 60, 0, True, Track.ccm_complex, id="complex MDM and 60 pooled: complex"),
    pytest.param("ccm", 31, 29, True, Track.ccm_complex, id="complex on pooled staff+practitioner"),
    pytest.param("ccm", 59, 0, True, Track.ccm_staff, id="complex under 60 falls back to staff"),
    pytest.param("ccm", 19, 35, True, Track.ccm_practitioner, id="complex under 60: 99491"),
    pytest.param("ccm", 0, 90, False, Track.ccm_practitioner, id="not complex without MDM"),
    pytest.param("ccm", 19, 30, False, Track.ccm_practitioner, id="99491 when staff under 20"),
    pytest.param("ccm", 20, 30, False, Track.ccm_staff, id="staff 20 pools into 99490"),
    pytest.param("ccm", 0, 29, False, Track.ccm_staff, id="practitioner 29 pools into 99490"),
    pytest.param("ccm", 10, 9, False, None, id="19 pooled bills nothing"),
    pytest.param("pcm", 40, 30, False, Track.pcm_practitioner, id="PCM practitioner at 30"),
    pytest.param("pcm", 10, 20, False, Track.pcm_staff, id="PCM staff on pooled 30"),
    pytest.param("pcm", 10, 19, True, None, id="PCM 29 pooled bills nothing"),
]


@pytest.mark.parametrize("program, staff, personal, complex_mdm, expected", TRACK_ORDER)
def test_section_5_fixed_track_order(
    program: str, staff: int, personal: int, complex_mdm: bool, expected: Track | None
) -> None:
    by_role = {"clinical_staff": staff, "practitioner": personal}
    assert fixed_order_track(program, by_role, complex_mdm) == expected


def test_the_fixed_order_can_pay_less_for_one_more_practitioner_minute() -> None:
    # Why fixed_order is not the default (domain §5): 29 practitioner + 19 staff minutes pool to
    # 48 (99490 + 99439), one more practitioner minute switches to 99491 alone.
    low = {"clinical_staff": 19, "practitioner": 29}
    high = {"clinical_staff": 19, "practitioner": 30}
    assert fixed_order_track("ccm", low, False) == Track.ccm_staff
    assert fixed_order_track("ccm", high, False) == Track.ccm_practitioner
