"""Which track bills a month the facts qualify several for (domain §5, policy ``track_choice``).

``highest_allowed`` (the default) bills the candidate with the highest allowed amount, compared
in the latest fee year that prices every candidate, so a figure missing for the service year
never decides the choice by accident; ``fixed_order`` keeps the domain's fixed order. Both only
choose among tracks the facts qualify for: complex CCM needs the recorded MDM either way.
"""

from __future__ import annotations

from dataclasses import dataclass

from care.codes import ORDER, TRACKS, codes_for, fixed_order_track, qualifying_tracks, track_minutes
from care.decision import Track, TrackCandidate
from care.fees import FeeSchedule, total_allowed
from care.policy import Policy


@dataclass(frozen=True)
class TrackChoice:
    """The chosen track (None: no threshold met), every candidate, and the sentence why."""

    track: Track | None
    candidates: list[TrackCandidate]
    why: str | None


def choose_track(
    program: str,
    by_role: dict[str, int],
    complex_mdm: bool,
    *,
    year: int,
    policy: Policy,
    fees: FeeSchedule,
) -> TrackChoice:
    """The month's one track by ``policy.track_choice``, with the candidates it weighed."""
    tracks = qualifying_tracks(program, by_role, complex_mdm)
    compare_year = _comparison_year(tracks, by_role, year, policy, fees)
    candidates = [_candidate(t, by_role, compare_year, policy, fees) for t in tracks]
    if not candidates:
        return TrackChoice(None, [], None)
    if policy.track_choice == "fixed_order" or compare_year is None:
        chosen = fixed_order_track(program, by_role, complex_mdm)
        why = _fixed_why(len(candidates), compare_year, policy)
        return TrackChoice(chosen, candidates, why)
    best = max(candidates, key=lambda c: (c.allowed or 0, -ORDER.index(c.track)))
    return TrackChoice(best.track, candidates, _best_why(best, candidates, compare_year, fees))


def _candidate(
    track: Track, by_role: dict[str, int], year: int | None, policy: Policy, fees: FeeSchedule
) -> TrackCandidate:
    codes = codes_for(track, track_minutes(track, by_role), policy)
    allowed = total_allowed(codes, year, fees) if year is not None else None
    return TrackCandidate(track=track, codes=codes, allowed=allowed, priced_year=year)


def _comparison_year(
    tracks: list[Track], by_role: dict[str, int], year: int, policy: Policy, fees: FeeSchedule
) -> int | None:
    """The latest fee year up to the service year that prices every candidate's codes."""
    codes = [c for t in tracks for c in codes_for(t, track_minutes(t, by_role), policy)]
    for candidate_year in fees.years():
        if candidate_year <= year and total_allowed(codes, candidate_year, fees) is not None:
            return candidate_year
    return None


def _best_why(
    best: TrackCandidate, candidates: list[TrackCandidate], year: int, fees: FeeSchedule
) -> str | None:
    if len(candidates) == 1:
        return None
    others = ", ".join(f"{TRACKS[c.track].label} ${c.allowed}" for c in candidates if c is not best)
    return (
        f"{TRACKS[best.track].label} track chosen: ${best.allowed} allowed against {others} "
        f"(CY{year} {fees.label} amounts; policy track_choice=highest_allowed)"
    )


def _fixed_why(count: int, compare_year: int | None, policy: Policy) -> str | None:
    if count == 1:
        return None
    if policy.track_choice == "fixed_order":
        return "track chosen in the fixed order (policy track_choice=fixed_order)"
    return "no fee year prices every candidate track: chosen in the fixed order"
