"""Issue 10's identity examples against the workflow: another patient's event id, one id with
other content (stored, twice in a batch, twice in a feed), and a refused event's twin. Each is
refused naming ``event_id`` and the patient goes on: the next valid event is recorded."""

from __future__ import annotations

from datetime import timedelta

import pytest

from events.upstream import TimeLogged
from upstream.client import EventRejected
from upstream.feed import ParsedFeed
from upstream.ingest import ingest

from .builders import Life, clear_of_month_start, life
from .conftest import Engine


async def enrolled(engine: Engine) -> Life:
    p = life(engine.patient())
    await engine.client.send(p.enrolled(await clear_of_month_start(engine) - timedelta(hours=3)))
    return p


async def test_an_event_id_of_another_patient_is_refused_and_never_wedges_the_patient(
    engine: Engine,
) -> None:
    p47, p49 = await enrolled(engine), await enrolled(engine)
    now = await engine.now()
    theirs = p47.time(now - timedelta(minutes=20), 12)
    await engine.client.send([theirs])
    mine = p49.time(now - timedelta(minutes=19), 12).model_copy(
        update={"event_id": theirs.event_id}
    )
    [refused] = (await engine.client.send([mine])).refused
    assert refused.field == "event_id" and "another patient" in refused.reason
    after = p49.time(now - timedelta(minutes=18), 9)
    assert (await engine.client.send([after])).recorded == [after.store_key]
    assert (await engine.view(p49)).minutes_this_month == 9


async def test_the_same_event_id_with_other_content_is_a_conflict_naming_both_digests(
    engine: Engine,
) -> None:
    p = await enrolled(engine)
    entry = p.time(await engine.now() - timedelta(minutes=20), 12)
    await engine.client.send([entry])
    changed = entry.model_copy(update={"minutes": 13})
    [refused] = (await engine.client.send([changed])).refused
    assert refused.field == "event_id" and refused.reason.count("…") == 2
    assert "stored sha256" in refused.reason and "sent" in refused.reason
    assert (await engine.view(p)).minutes_this_month == 12


async def test_one_event_id_twice_in_a_batch_with_other_content_is_refused_whole(
    engine: Engine,
) -> None:
    p = await enrolled(engine)
    entry = p.time(await engine.now() - timedelta(minutes=20), 12)
    with pytest.raises(EventRejected) as refused:
        await engine.client.send([entry, entry.model_copy(update={"minutes": 13})])
    assert refused.value.field == "event_id" and "twice with other content" in str(refused.value)
    assert await engine.events(p, "time_logged") == []


async def test_a_refused_events_identical_twin_is_refused_too_never_a_duplicate(
    engine: Engine,
) -> None:
    p = await enrolled(engine)
    void = p.void(await engine.now() - timedelta(minutes=20), "t-no-such-entry")
    receipt = await engine.client.send([void, void])
    assert [r.field for r in receipt.refused] == ["entry_id", "entry_id"]
    assert receipt.duplicates == [] and receipt.recorded == []


async def test_one_event_id_twice_in_a_feed_is_recorded_once_and_a_changed_copy_refused(
    engine: Engine,
) -> None:
    p = await enrolled(engine)
    entry = p.time(await engine.now() - timedelta(minutes=20), 12)
    assert isinstance(entry, TimeLogged)
    changed = entry.model_copy(update={"minutes": 13})
    feed = ParsedFeed(events=[(1, entry), (2, entry), (3, changed)])
    summary = await ingest(engine.client, feed)
    assert (summary.recorded, summary.duplicates) == (1, 1)
    [rejected] = summary.rejected
    assert (rejected.line, rejected.field) == (3, "event_id")
    assert "already used on line 1 with other content" in rejected.reason


async def test_a_line_repeated_in_a_feed_and_refused_is_reported_at_each_line(
    engine: Engine,
) -> None:
    p = await enrolled(engine)
    void = p.void(await engine.now() - timedelta(minutes=20), "t-no-such-entry")
    summary = await ingest(engine.client, ParsedFeed(events=[(4, void), (9, void)]))
    assert sorted((r.line, r.field) for r in summary.rejected) == [(4, "entry_id"), (9, "entry_id")]
    assert (summary.recorded, summary.duplicates) == (0, 0)
