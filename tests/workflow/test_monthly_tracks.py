"""Each billing track, and each reason a month bills less, decided by the workflow at month close.

Backfilled feeds (events in months whose close has passed) are delivered in one batch: the
workflow applies them in order and closes each month as its business clock passes the close,
exactly as if they had arrived live (test_backfill.py proves that equivalence).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from care.decision import ExclusionReason, MonthDecision
from events.decisions import ClaimPrepared, MonthClosed
from events.upstream import TimeLogged, UpstreamEvent

from .builders import Life, closable_months, in_month, life
from .conftest import Engine, set_policy

MonthScript = Callable[[Life, str], list[UpstreamEvent]]


async def decisions(engine: Engine, p: Life) -> dict[str, MonthDecision]:
    out: dict[str, MonthDecision] = {}
    for stored in await engine.events(p, "month_closed"):
        assert isinstance(stored.event, MonthClosed)
        assert stored.event.service_month not in out  # one close per month, ever
        out[stored.event.service_month] = stored.event.decision
    return out


async def claimed_months(engine: Engine, p: Life) -> list[str]:
    rows = await engine.pool.fetch(
        "SELECT service_month FROM claims_outbox WHERE patient_id = $1 ORDER BY 1", p.id
    )
    return [r["service_month"] for r in rows]


def codes(decision: MonthDecision) -> list[tuple[str, int]]:
    return [(c.code, c.units) for c in decision.codes]


def excluded(decision: MonthDecision) -> set[ExclusionReason]:
    return {x.reason for x in decision.excluded}


def staff(*minutes: int) -> MonthScript:
    return lambda p, m: [p.time(in_month(m, 5 + i), n) for i, n in enumerate(minutes)]


def practitioner(minutes: int) -> MonthScript:
    return lambda p, m: [p.time(in_month(m, 6), minutes, role="practitioner")]


def complex_month(mdm: str, *minutes: int) -> MonthScript:
    return lambda p, m: [p.complexity(in_month(m, 4), m, mdm), *staff(*minutes)(p, m)]


def with_g0181(*minutes: int) -> MonthScript:
    return lambda p, m: [p.billed_elsewhere(in_month(m, 3), "G0181"), *staff(*minutes)(p, m)]


def ccm_elsewhere(*minutes: int) -> MonthScript:
    return lambda p, m: [
        p.billed_elsewhere(in_month(m, 3), "99490", by="dr-other"),
        *staff(*minutes)(p, m),
    ]


def voided(keep: int, void: int) -> MonthScript:
    def script(p: Life, m: str) -> list[UpstreamEvent]:
        kept, wrong = p.time(in_month(m, 5), keep), p.time(in_month(m, 6), void)
        assert isinstance(wrong, TimeLogged)
        return [kept, wrong, p.void(in_month(m, 7), wrong.entry_id)]

    return script


def not_countable(minutes: int) -> MonthScript:
    return lambda p, m: [
        p.time(in_month(m, 5), minutes),
        p.time(in_month(m, 6), 30, counted_toward="tcm"),  # already counted toward TCM
        p.time(in_month(m, 7), 30, role="non_clinical"),  # front-desk time never counts
    ]


CCM_DX = ["E11.9", "I10"]
PCM_DX = ["I50.9"]

TRACK_CASES = [
    # (id, diagnoses, the month's documentation, expected track, expected codes, counted minutes)
    ("12+8-staff", CCM_DX, staff(12, 8), "ccm_staff", [("99490", 1)], 20),
    ("12+7-staff", CCM_DX, staff(12, 7), None, [], 19),  # never rounded up
    ("40-staff", CCM_DX, staff(25, 15), "ccm_staff", [("99490", 1), ("99439", 1)], 40),
    ("100-staff-cap-2", CCM_DX, staff(50, 50), "ccm_staff", [("99490", 1), ("99439", 2)], 100),
    ("30-practitioner", CCM_DX, practitioner(31), "ccm_practitioner", [("99491", 1)], 31),
    # 99487 alone (131.65) pays less than 99490 + 2 x 99439 (152.35) on the same 60 minutes.
    (
        "complex-60-pays-less-than-staff",
        CCM_DX,
        complex_month("moderate", 40, 20),
        "ccm_staff",
        [("99490", 1), ("99439", 2)],
        60,
    ),
    (
        "complex-90",
        CCM_DX,
        complex_month("high", 45, 45),
        "ccm_complex",
        [("99487", 1), ("99489", 1)],
        90,
    ),
    (
        "low-mdm-90-is-not-complex",
        CCM_DX,
        complex_month("low", 45, 45),
        "ccm_staff",
        [("99490", 1), ("99439", 2)],
        90,
    ),
    ("pcm-35-staff", PCM_DX, staff(20, 15), "pcm_staff", [("99426", 1)], 35),
    ("pcm-31-practitioner", PCM_DX, practitioner(31), "pcm_practitioner", [("99424", 1)], 31),
    ("g0181-blocks-45", CCM_DX, with_g0181(25, 20), None, [], 45),
    ("ccm-billed-by-another", CCM_DX, ccm_elsewhere(25, 20), None, [], 45),
    ("voided-entry", CCM_DX, voided(19, 30), None, [], 19),
    ("tcm-and-non-clinical", CCM_DX, not_countable(21), "ccm_staff", [("99490", 1)], 21),
]


@pytest.mark.parametrize(
    "dx, script, track, expected, counted",
    [case[1:] for case in TRACK_CASES],
    ids=[case[0] for case in TRACK_CASES],
)
async def test_a_closed_month_bills_its_track(
    engine: Engine,
    dx: list[str],
    script: MonthScript,
    track: str | None,
    expected: list[tuple[str, int]],
    counted: int,
) -> None:
    p = life(engine.patient())
    (month,) = closable_months(await engine.now(), 1)
    start = in_month(month, 1, hour=9)
    feed = [
        p.identified(start, dx),
        p.consent(start + timedelta(hours=1)),
        p.care_plan(start + timedelta(hours=2)),
        *script(p, month),
    ]
    await engine.client.send(feed)
    decision = (await decisions(engine, p))[month]
    assert (decision.track, codes(decision), decision.counted_minutes) == (
        track,
        expected,
        counted,
    )
    assert await claimed_months(engine, p) == ([month] if expected else [])
    prepared = await engine.events(p, "claim_prepared")
    assert len(prepared) == (1 if expected else 0)
    if track is None and counted >= 20:
        assert any("G0181" in r or "another practitioner" in r for r in decision.reasons)


async def test_minutes_during_an_inpatient_stay_do_not_count(engine: Engine) -> None:
    p = life(engine.patient())
    (month,) = closable_months(await engine.now(), 1)
    await engine.client.send(
        [
            *p.enrolled(in_month(month, 1, hour=9)),
            p.admitted(in_month(month, 5)),
            p.time(in_month(month, 7), 30),  # while admitted: excluded
            p.discharged(in_month(month, 9)),
            p.time(in_month(month, 12), 25),
        ]
    )
    decision = (await decisions(engine, p))[month]
    assert decision.counted_minutes == 25
    assert codes(decision) == [("99490", 1)]  # 55 minutes would have added 99439
    assert ExclusionReason.during_inpatient_stay in excluded(decision)


async def test_a_revocation_stops_counting_and_ends_billing_after_its_month(
    engine: Engine,
) -> None:
    p = life(engine.patient())
    m1, m2 = closable_months(await engine.now(), 2)
    receipt = await engine.client.send(
        [
            *p.enrolled(in_month(m1, 1, hour=9)),
            p.time(in_month(m1, 5), 25),
            p.revoked(in_month(m1, 10)),
            p.time(in_month(m1, 15), 30),  # after the revocation's timestamp (Policy)
            p.time(in_month(m2, 5), 40),  # a later month: nothing without new consent
        ]
    )
    assert receipt.phase == "ended"
    closed = await decisions(engine, p)
    assert list(closed) == [m1]  # the later month is never closed, so never billed
    assert closed[m1].counted_minutes == 25
    assert codes(closed[m1]) == [("99490", 1)]
    assert ExclusionReason.after_revocation in excluded(closed[m1])
    assert await claimed_months(engine, p) == [m1]
    assert (await engine.view(p)).closed_months == {m1: "ccm_staff"}


async def test_after_a_revocation_only_a_new_consent_bills_again(engine: Engine) -> None:
    p = life(engine.patient())
    m1, m2, m3 = closable_months(await engine.now(), 3)
    await engine.client.send(
        [
            *p.enrolled(in_month(m1, 1, hour=9)),
            p.time(in_month(m1, 5), 22),
            p.revoked(in_month(m1, 10)),
            p.time(in_month(m2, 5), 30),  # revoked: nothing counts
            p.consent(in_month(m3, 6)),  # consents again
            p.time(in_month(m3, 5), 15),  # before the new consent: excluded
            p.time(in_month(m3, 8), 21),
        ]
    )
    closed = await decisions(engine, p)
    assert [(m, closed[m].counted_minutes, codes(closed[m])) for m in (m1, m2, m3)] == [
        (m1, 22, [("99490", 1)]),
        (m2, 0, []),
        (m3, 21, [("99490", 1)]),
    ]
    assert await claimed_months(engine, p) == [m1, m3]
    assert (await engine.view(p)).phase == "active"


async def test_death_bills_the_minutes_before_it_on_the_date_of_death(engine: Engine) -> None:
    p = life(engine.patient())
    m1, m2 = closable_months(await engine.now(), 2)
    died = p.died(in_month(m1, 10, hour=20))
    receipt = await engine.client.send(
        [
            *p.enrolled(in_month(m1, 1, hour=9)),
            p.time(in_month(m1, 5), 25),
            died,
            p.time(in_month(m1, 20), 30),  # documented after death: never counts
            p.time(in_month(m2, 5), 40),
        ]
    )
    assert receipt.phase == "ended"
    closed = await decisions(engine, p)
    assert list(closed) == [m1]
    decision = closed[m1]
    assert (decision.counted_minutes, codes(decision)) == (25, [("99490", 1)])
    assert decision.date_of_service == in_month(m1, 10).date()  # not the month's last day
    assert ExclusionReason.after_death in excluded(decision)
    (prepared,) = await engine.events(p, "claim_prepared")
    assert isinstance(prepared.event, ClaimPrepared)
    assert prepared.event.date_of_service == in_month(m1, 10).date()
    assert await claimed_months(engine, p) == [m1]


async def test_a_year_of_documentation_bills_each_month_on_its_own(engine: Engine) -> None:
    """Twelve months, one feed: minutes never carry from one month to the next."""
    p = life(engine.patient())
    months = closable_months(await engine.now(), 12)
    per_month = [19, 20, 39, 40, 60, 100, 0, 25, 12, 45, 20, 8]
    feed = [*p.enrolled(in_month(months[0], 1, hour=9))]
    for month, minutes in zip(months, per_month, strict=True):
        if minutes:
            feed.append(p.time(in_month(month, 28, hour=23), minutes))
    await engine.client.send(feed)
    closed = await decisions(engine, p)
    assert list(closed) == months
    addons = {19: 0, 20: 0, 39: 0, 40: 1, 60: 2, 100: 2, 0: 0, 25: 0, 12: 0, 45: 1, 8: 0}
    for month, minutes in zip(months, per_month, strict=True):
        want = [] if minutes < 20 else [("99490", 1)]
        if addons[minutes]:
            want.append(("99439", addons[minutes]))
        assert (closed[month].counted_minutes, codes(closed[month])) == (minutes, want), month
    billed = [m for m, n in zip(months, per_month, strict=True) if n >= 20]
    assert await claimed_months(engine, p) == billed
    assert len(await engine.events(p, "claim_submitted")) == len(billed)


async def test_an_apcm_practice_bills_the_level_without_a_time_threshold(engine: Engine) -> None:
    """With the practice running APCM (a policy setting), a primary-care patient bills G0557
    (two or more conditions) with no minutes at all (CY2025 PFS final rule)."""
    await set_policy(engine, practice_runs_apcm=True)
    apcm = engine.client
    p = life(engine.patient())
    (month,) = closable_months(await engine.now(), 1)
    start = in_month(month, 1, hour=9)
    await apcm.send(
        [
            p.identified(start, CCM_DX, primary_care_responsible=True),
            p.consent(start + timedelta(hours=1)),
            p.care_plan(start + timedelta(hours=2)),
        ]
    )
    decision = (await decisions(engine, p))[month]
    assert (decision.track, codes(decision)) == ("apcm", [("G0557", 1)])
    assert await claimed_months(engine, p) == [month]
