"""Code selection: one track per patient per month, base code plus capped add-on units (§5).

Sources: CY2022 PFS final rule (99439, 99437, PCM 99424-99427 and their time blocks);
MLN909188 (never-together pairs; complex CCM needs moderate/high MDM).
"""

from __future__ import annotations

from dataclasses import dataclass

from care.decision import CodeUnits, Track
from care.policy import Policy


@dataclass(frozen=True)
class TrackRule:
    """Base code at ``base_minutes``; one add-on unit per further full ``block_minutes``."""

    base: str
    base_minutes: int
    add_on: str
    block_minutes: int
    minutes_of: tuple[str, ...]  # the roles whose minutes this track counts
    label: str

    def cap(self, policy: Policy) -> int | None:
        cap: int | None = getattr(policy, f"addon_cap_{self.add_on}")
        return cap


POOLED = (
    "clinical_staff",
    "practitioner",
)  # the practitioner's time counts as staff time (FAQ 2017)
PERSONAL = ("practitioner",)

TRACKS: dict[Track, TrackRule] = {
    Track.ccm_staff: TrackRule("99490", 20, "99439", 20, POOLED, "clinical-staff"),
    Track.ccm_practitioner: TrackRule("99491", 30, "99437", 30, PERSONAL, "practitioner"),
    Track.ccm_complex: TrackRule("99487", 60, "99489", 30, POOLED, "complex CCM"),
    Track.pcm_practitioner: TrackRule("99424", 30, "99425", 30, PERSONAL, "PCM practitioner"),
    Track.pcm_staff: TrackRule("99426", 30, "99427", 30, POOLED, "PCM clinical-staff"),
}

APCM_CODES = ("G0556", "G0557", "G0558")

# Every care-management code: one billed by another practitioner in a month means only one
# practitioner can be paid, and it was not us (MLN909188; OIG A-07-17-05101).
CARE_MANAGEMENT_CODES = frozenset(
    {code for rule in TRACKS.values() for code in (rule.base, rule.add_on)} | set(APCM_CODES)
)
# Every code a month can bill: care management, and G0506 on the initiating visit (MLN909188).
BILLABLE_CODES = CARE_MANAGEMENT_CODES | {"G0506"}


def add_on_units(counted: int, base: int, block: int, cap: int | None) -> int:
    """Full blocks beyond the base threshold; CPT time is never rounded (MLN909188)."""
    if counted < base:
        return 0
    units = (counted - base) // block
    return units if cap is None else min(units, cap)


# The order of domain §5's ``fixed_order`` policy; also the tie-break of ``highest_allowed``.
ORDER = (
    Track.ccm_complex,
    Track.ccm_practitioner,
    Track.ccm_staff,
    Track.pcm_practitioner,
    Track.pcm_staff,
)


def qualifying_tracks(program: str, by_role: dict[str, int], complex_mdm: bool) -> list[Track]:
    """Every CCM/PCM track whose base threshold the month's minutes reach, in ``ORDER``.

    Complex CCM also needs moderate/high MDM recorded by the practitioner: complexity is a
    clinical fact, never chosen for price (MLN909188). The practitioner's own minutes count on
    both the practitioner track and, pooled with staff time, the staff track (CMS FAQ 2017).
    """
    staff, personal = by_role.get("clinical_staff", 0), by_role.get("practitioner", 0)
    pooled = staff + personal
    if program == "pcm":
        holds = {Track.pcm_practitioner: personal >= 30, Track.pcm_staff: pooled >= 30}
    else:
        holds = {
            Track.ccm_complex: complex_mdm and pooled >= 60,
            Track.ccm_practitioner: personal >= 30,
            Track.ccm_staff: pooled >= 20,
        }
    return [track for track in ORDER if holds.get(track, False)]


def fixed_order_track(program: str, by_role: dict[str, int], complex_mdm: bool) -> Track | None:
    """The month's one track by the ``fixed_order`` policy (domain §5), or None.

    PCM: practitioner track at 30 personal minutes, else staff track on pooled minutes.
    CCM: complex when MDM is moderate/high and pooled minutes reach 60; else 99491 when the
    practitioner's own minutes reach 30 and staff minutes are under 20; else 99490 on pooled.
    """
    candidates = qualifying_tracks(program, by_role, complex_mdm)
    if Track.ccm_practitioner in candidates and by_role.get("clinical_staff", 0) >= 20:
        candidates.remove(Track.ccm_practitioner)
    return candidates[0] if candidates else None


def track_minutes(track: Track, by_role: dict[str, int]) -> int:
    """The minutes a track bills on: pooled, or the practitioner's own."""
    return sum(by_role.get(role, 0) for role in TRACKS[track].minutes_of)


def codes_for(track: Track, minutes: int, policy: Policy) -> list[CodeUnits]:
    """Base code once, then add-on units up to the cap; never an add-on without its base."""
    rule = TRACKS[track]
    if minutes < rule.base_minutes:
        return []
    units = add_on_units(minutes, rule.base_minutes, rule.block_minutes, rule.cap(policy))
    codes = [CodeUnits(code=rule.base, units=1)]
    return codes + ([CodeUnits(code=rule.add_on, units=units)] if units else [])


def describe(track: Track, minutes: int, codes: list[CodeUnits]) -> str:
    """The biller's sentence for a billed track.

    Example: ``40 counted minutes on the clinical-staff track: 99490 + 1 × 99439``.
    """
    rule = TRACKS[track]
    parts = [codes[0].code] + [f"{c.units} × {c.code}" for c in codes[1:]]
    who = "practitioner's own " if rule.minutes_of == PERSONAL else ""
    return f"{minutes} {who}counted minutes on the {rule.label} track: {' + '.join(parts)}"
