"""Delivery the way real feeds deliver: twice, concurrently, and out of order.

Re-sending is harmless (the workflow deduplicates by store key); events that arrive before the
patient is identified are held, then applied, and bill exactly as an in-order feed does.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from care.decision import MonthDecision
from events.decisions import MonthClosed
from events.upstream import TimeLogged, UpstreamEvent

from .builders import Life, clear_of_month_start, closable_months, in_month, life
from .conftest import Engine


async def decisions(engine: Engine, p: Life) -> dict[str, MonthDecision]:
    out: dict[str, MonthDecision] = {}
    for stored in await engine.events(p, "month_closed"):
        assert isinstance(stored.event, MonthClosed)
        out[stored.event.service_month] = stored.event.decision
    return out


def billing(closed: dict[str, MonthDecision]) -> dict[str, tuple[int, list[tuple[str, int]]]]:
    return {m: (d.counted_minutes, [(c.code, c.units) for c in d.codes]) for m, d in closed.items()}


async def claims(engine: Engine, p: Life) -> list[str]:
    rows = await engine.pool.fetch(
        "SELECT service_month FROM claims_outbox WHERE patient_id = $1 ORDER BY 1", p.id
    )
    return [r["service_month"] for r in rows]


async def enrolled_now(engine: Engine) -> Life:
    p = life(engine.patient())
    now = await clear_of_month_start(engine)
    receipt = await engine.client.send(p.enrolled(now - timedelta(hours=3)))
    assert receipt.phase == "active"
    return p


async def test_the_same_batch_twice_is_all_duplicates_and_changes_nothing(engine: Engine) -> None:
    p = await enrolled_now(engine)
    now = await engine.now()
    batch = [p.time(now - timedelta(minutes=50), 12), p.time(now - timedelta(minutes=20), 9)]
    first = await engine.client.send(batch)
    assert first.recorded == [e.store_key for e in batch]
    stored = [s.event_id for s in await engine.events(p)]
    minutes = (await engine.view(p)).minutes_this_month
    assert minutes == 21
    again = await engine.client.send(batch)
    assert (again.recorded, again.duplicates) == ([], [e.store_key for e in batch])
    assert again.stream_version == first.stream_version
    assert [s.event_id for s in await engine.events(p)] == stored
    assert (await engine.view(p)).minutes_this_month == minutes


async def test_an_overlapping_batch_records_only_what_is_new(engine: Engine) -> None:
    p = await enrolled_now(engine)
    now = await engine.now()
    a, b, c = (p.time(now - timedelta(minutes=m), 7) for m in (50, 40, 30))
    await engine.client.send([a, b])
    receipt = await engine.client.send([b, c])
    assert (receipt.recorded, receipt.duplicates) == ([c.store_key], [b.store_key])
    assert (await engine.view(p)).minutes_this_month == 21


async def test_a_time_entry_sent_twice_in_one_batch_counts_once(engine: Engine) -> None:
    p = await enrolled_now(engine)
    now = await engine.now()
    entry = p.time(now - timedelta(minutes=30), 15)
    receipt = await engine.client.send([entry, entry])
    assert (receipt.recorded, receipt.duplicates) == ([entry.store_key], [entry.store_key])
    assert len(await engine.events(p, "time_logged")) == 1
    assert (await engine.view(p)).minutes_this_month == 15


async def test_two_senders_delivering_the_same_entry_at_once_record_it_once(
    engine: Engine,
) -> None:
    p = await enrolled_now(engine)
    now = await engine.now()
    entry = p.time(now - timedelta(minutes=30), 15)
    one, two = await asyncio.gather(engine.client.send([entry]), engine.client.send([entry]))
    assert sorted([*one.recorded, *two.recorded]) == [entry.store_key]
    assert sorted([*one.duplicates, *two.duplicates]) == [entry.store_key]
    assert len(await engine.events(p, "time_logged")) == 1
    assert (await engine.view(p)).minutes_this_month == 15


async def test_a_time_entry_resent_with_the_same_event_id_counts_once_in_its_month(
    engine: Engine,
) -> None:
    p = life(engine.patient())
    m1, m2 = closable_months(await engine.now(), 2)
    entry = p.time(in_month(m1, 10), 25)
    await engine.client.send([*p.enrolled(in_month(m1, 1, hour=9)), entry])
    assert list(await decisions(engine, p)) == [m1, m2]  # both months closed
    again = await engine.client.send([entry])
    assert (again.duplicates, again.late) == ([entry.store_key], [])  # not a late entry
    assert len(await engine.events(p, "late_entry_recorded")) == 0
    assert billing(await decisions(engine, p)) == {m1: (25, [("99490", 1)]), m2: (0, [])}
    assert await claims(engine, p) == [m1]


async def test_the_same_entry_id_under_a_new_event_id_is_refused(engine: Engine) -> None:
    p = await enrolled_now(engine)
    now = await engine.now()
    entry = p.time(now - timedelta(minutes=30), 15)
    assert isinstance(entry, TimeLogged)
    await engine.client.send([entry])
    twin = entry.model_copy(update={"event_id": f"{entry.event_id}-resent"})
    receipt = await engine.client.send([twin])
    [refused] = receipt.refused
    assert (refused.event_id, refused.field) == (twin.event_id, "entry_id")
    assert receipt.recorded == [] and "void it first" in refused.reason
    assert (await engine.view(p)).minutes_this_month == 15


def story(p: Life, months: list[str]) -> tuple[list[UpstreamEvent], list[UpstreamEvent]]:
    """(identification, everything else) for two billed months."""
    m1, m2 = months
    identified = [p.identified(in_month(m1, 1, hour=9), ["E11.9", "I10"])]
    rest = [
        p.consent(in_month(m1, 1, hour=10)),
        p.care_plan(in_month(m1, 1, hour=11)),
        p.time(in_month(m1, 8), 25),
        p.time(in_month(m1, 20), 15),
        p.admitted(in_month(m2, 3)),
        p.time(in_month(m2, 4), 30),  # inpatient: excluded
        p.discharged(in_month(m2, 6)),
        p.time(in_month(m2, 9), 22),
    ]
    return identified, rest


EXPECTED = [(40, [("99490", 1), ("99439", 1)]), (22, [("99490", 1)])]


@pytest.mark.parametrize("newest_first", [False, True], ids=["held-in-order", "held-reversed"])
async def test_events_before_identification_are_held_and_bill_as_in_order(
    engine: Engine, newest_first: bool
) -> None:
    months = closable_months(await engine.now(), 2)
    in_order, held = life(engine.patient()), life(engine.patient())

    head, rest = story(in_order, months)
    await engine.client.send([*head, *rest])

    head, rest = story(held, months)
    early_batch = list(reversed(rest)) if newest_first else rest
    early = await engine.client.send(early_batch)
    assert early.phase == "unidentified"  # not identified yet: held, visibly
    assert early.recorded == [e.store_key for e in early_batch]
    assert await decisions(engine, held) == {}  # nothing to bill before screening
    assert await engine.events(held, "phase_changed") == []
    identified = await engine.client.send(head)
    assert identified.phase == "active"

    expected = dict(zip(months, EXPECTED, strict=True))
    assert billing(await decisions(engine, in_order)) == expected
    assert billing(await decisions(engine, held)) == expected
    assert await claims(engine, held) == await claims(engine, in_order) == months


@pytest.mark.parametrize(
    "order", ["discharge-first", "in-order"], ids=["discharge-first", "in-order"]
)
async def test_a_discharge_delivered_before_its_admission_still_closes_the_stay(
    engine: Engine, order: str
) -> None:
    """ADT feeds arrive out of order: the stay is the admission and discharge as they happened."""
    p = life(engine.patient())
    (month,) = closable_months(await engine.now(), 1)
    admitted, discharged = p.admitted(in_month(month, 3)), p.discharged(in_month(month, 6))
    adt = [discharged, admitted] if order == "discharge-first" else [admitted, discharged]
    await engine.client.send(
        [
            *p.enrolled(in_month(month, 1, hour=9)),
            p.time(in_month(month, 2), 12),
            *adt,
            p.time(in_month(month, 4), 30),  # during the stay: excluded
            p.time(in_month(month, 9), 10),
        ]
    )
    assert billing(await decisions(engine, p)) == {month: (22, [("99490", 1)])}


async def test_a_transfer_between_facilities_is_one_stay_ended_by_the_last_discharge(
    engine: Engine,
) -> None:
    """Hospital, then SNF, then home: two admissions, one discharge; care resumes at home."""
    p = life(engine.patient())
    (month,) = closable_months(await engine.now(), 1)
    await engine.client.send(
        [
            *p.enrolled(in_month(month, 1, hour=9)),
            p.admitted(in_month(month, 3)),
            p.event("patient_admitted", in_month(month, 7), facility="snf"),
            p.time(in_month(month, 8), 30),  # in the SNF: excluded
            p.discharged(in_month(month, 12)),
            p.time(in_month(month, 15), 25),
        ]
    )
    assert billing(await decisions(engine, p)) == {month: (25, [("99490", 1)])}


async def test_a_voided_entry_can_be_logged_again_under_its_entry_id(engine: Engine) -> None:
    """The refusal says "void it first": a corrected entry after a void is accepted and counts,
    and the whole correction re-sent later is all duplicates."""
    p = await enrolled_now(engine)
    now = await engine.now()
    wrong = p.time(now - timedelta(minutes=50), 15)
    assert isinstance(wrong, TimeLogged)
    void = p.void(now - timedelta(minutes=40), wrong.entry_id)
    fixed = p.event(
        "time_logged",
        now - timedelta(minutes=30),
        entry_id=wrong.entry_id,
        staff_id="rn-1",
        role="clinical_staff",
        minutes=25,
        at=now - timedelta(minutes=50),
    )
    await engine.client.send([wrong])
    refused = (await engine.client.send([fixed])).refused
    assert [(r.field, r.reason) for r in refused] == [
        ("entry_id", "already recorded; void it first")
    ]
    await engine.client.send([void])
    assert (await engine.view(p)).minutes_this_month == 0
    receipt = await engine.client.send([fixed])
    assert receipt.recorded == [fixed.store_key]
    assert (await engine.view(p)).minutes_this_month == 25
    again = await engine.client.send([wrong, void, fixed])
    assert again.duplicates == [e.store_key for e in (wrong, void, fixed)]
    assert (await engine.view(p)).minutes_this_month == 25


async def test_a_correction_in_one_batch_counts_the_corrected_minutes(engine: Engine) -> None:
    p = await enrolled_now(engine)
    now = await engine.now()
    wrong = p.time(now - timedelta(minutes=50), 15)
    assert isinstance(wrong, TimeLogged)
    fixed = wrong.model_copy(update={"event_id": f"{wrong.event_id}-fix", "minutes": 22})
    receipt = await engine.client.send(
        [wrong, p.void(now - timedelta(minutes=40), wrong.entry_id), fixed]
    )
    assert len(receipt.recorded) == 3
    assert (await engine.view(p)).minutes_this_month == 22
