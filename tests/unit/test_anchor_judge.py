"""Which store a checkpoint belongs to, and what an anchored head that no longer holds means."""

from __future__ import annotations

import pytest

from events.anchor import AnchoredHead, Checkpoint, StoreIdentity
from events.anchor_check import Anchored, judge
from events.verify import Recomputed, VerifyReport

ANCHORED = StoreIdentity(name="ccm", system_identifier="1", store_id="aa" * 32)
HEADS = [
    AnchoredHead(stream="patient-p1", version=3, hash="01" * 32),
    AnchoredHead(stream="patient-p2", version=2, hash="02" * 32),
]
ANCHOR = Anchored(
    name="anchor-x.json", key_id="0" * 32,
    checkpoint=Checkpoint(created_at="2026-03-02T09:00:00Z", database=ANCHORED, head_position=5,
                          streams=HEADS),
)  # fmt: skip


def rows(p1: tuple[int, str] | None, p2: tuple[int, str] | None) -> VerifyReport:
    """The walk's recomputation: per stream, (last version, hash hex at the anchored version)."""
    recomputed = {}
    for head, seen in zip(HEADS, (p1, p2), strict=True):
        last, link = seen or (0, "")
        links = {head.version: bytes.fromhex(link)} if link else {}
        recomputed[head.stream] = Recomputed(last_version=last, links=links)
    return VerifyReport(streams=2, events=5, broken=[], recomputed=recomputed)


HOLDS = rows((3, "01" * 32), (2, "02" * 32))
ALL_CHANGED = rows((3, "09" * 32), (2, "09" * 32))


def here(name: str = "ccm", system: str = "1", store: str | None = "aa" * 32) -> StoreIdentity:
    return StoreIdentity(name=name, system_identifier=system, store_id=store)


def reasons(store: StoreIdentity, report: VerifyReport, head_position: int = 5) -> list[str]:
    return [p.describe() for p in judge(ANCHOR, store, head_position, report, None)]


def test_every_head_holding_is_no_problem() -> None:
    assert reasons(here(), HOLDS) == []


def test_a_restored_copy_is_the_same_store() -> None:
    assert reasons(here(name="ccm_restored", system="2"), HOLDS) == []


def test_another_database_is_named_once_not_per_stream() -> None:
    [line] = reasons(here(name="other", store="bb" * 32), ALL_CHANGED)
    assert line.startswith("anchor anchor-x.json: anchor from another database (database ccm")


@pytest.mark.parametrize(
    "store",
    [
        here(store="bb" * 32),  # the same database, its first event rewritten with the rest
        here(name="other", store=None),  # a store emptied after the anchor is still this one
    ],
)
def test_this_store_with_every_head_changed_names_each_stream(store: StoreIdentity) -> None:
    report = ALL_CHANGED if store.store_id else rows(None, None)
    lines = reasons(store, report, head_position=5 if store.store_id else 0)
    assert [line.split(":")[0] for line in lines[:2]] == [
        "stream patient-p1 version 3",
        "stream patient-p2 version 2",
    ]


def test_what_went_wrong_with_each_head() -> None:
    assert reasons(here(), rows((2, ""), (4, ""))) == [
        "stream patient-p1 version 3: events removed after anchor anchor-x.json:"
        " the stream ends at version 2",
        "stream patient-p2 version 2: rewritten after anchor anchor-x.json:"
        " no event at the anchored version",
    ]
    assert reasons(here(), HOLDS, head_position=4) == [
        "anchor anchor-x.json: events removed after it: the store ends at position 4, anchored at 5"
    ]
