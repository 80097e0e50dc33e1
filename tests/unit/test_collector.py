"""``decoding()`` (events/collector.py): a page skips the young generations, and garbage cycles
moved to the oldest generation with it are still collected at CPython's rate."""

from __future__ import annotations

import gc
import sys
import weakref

from bench.synthetic import patient_history
from events.collector import decoding
from events.registry import DEFAULT_REGISTRY
from events.trusted import decode_stored

EVENTS = [*patient_history("collector-1", "2025-11", 6, seed=3)]
TEXTS = [(type(event), DEFAULT_REGISTRY.encode_json(event)[2]) for event in EVENTS]


class Node:
    """One garbage cycle per instance (it refers to itself), watched through a weak set."""

    __slots__ = ("__weakref__", "ballast", "me")
    BLOCKS = 11  # itself, its weak reference, the ballast list, its items, eight empty lists

    def __init__(self, alive: weakref.WeakSet[Node]) -> None:
        self.me = self
        self.ballast: list[list[int]] = [[] for _ in range(8)]
        alive.add(self)


def full_collections() -> int:
    return int(gc.get_stats()[2]["collections"])


def decode_page() -> None:
    with decoding():
        page = [decode_stored(model, text) for model, text in TEXTS]
    assert len(page) == len(TEXTS)


def test_a_decoded_page_skips_the_young_generations_and_the_collector_stays_as_it_was() -> None:
    gc.disable()  # no collection may move the page between the block and the checks
    try:
        with decoding():
            page = [decode_stored(model, text) for model, text in TEXTS]
        assert not gc.isenabled()
        young = {id(o) for o in gc.get_objects(0)} | {id(o) for o in gc.get_objects(1)}
        oldest = {id(o) for o in gc.get_objects(2)}
    finally:
        gc.enable()
    assert all(id(event) in oldest and id(event) not in young for event in page)
    with decoding():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_garbage_cycles_moved_with_pages_are_collected_once_the_heap_grows_by_a_quarter() -> None:
    # 50 cycles (about 550 objects) between pages stay under the young generation's threshold
    # (700 allocations), so only decoding() moves them: without its rule nothing would ever
    # collect them. Garbage of as many memory blocks as the whole heap passes any quarter.
    alive: weakref.WeakSet[Node] = weakref.WeakSet()
    decode_page()
    made, heap = 0, sys.getallocatedblocks()
    while made * Node.BLOCKS < heap:
        for _ in range(50):
            Node(alive)
        made += 50
        decode_page()
    assert len(alive) < made // 2


def moved_per_page() -> int:
    """How many young objects one page leaves for decoding() to move."""
    gc.disable()
    try:
        before = gc.get_count()[0]
        page = [decode_stored(model, text) for model, text in TEXTS]
        assert len(page) == len(TEXTS)
        return gc.get_count()[0] - before
    finally:
        gc.enable()


def test_a_reader_whose_heap_stays_level_runs_no_full_collection() -> None:
    # Measured from a full collection (a baseline left by an earlier test's smaller heap would
    # rightly ask for one), for pages moving as many objects as the heap has memory blocks:
    # past the quarter that makes decoding() look at the heap, four times over.
    gc.collect()
    decode_page()
    before, pages = full_collections(), sys.getallocatedblocks() // moved_per_page() + 1
    for _ in range(pages):
        decode_page()
    assert full_collections() == before


def test_with_the_collector_disabled_by_the_caller_nothing_is_collected() -> None:
    alive: weakref.WeakSet[Node] = weakref.WeakSet()
    gc.disable()
    try:
        decode_page()
        # Garbage of as many memory blocks as the heap: past both quarters of the rule.
        before, made = full_collections(), sys.getallocatedblocks() // Node.BLOCKS
        for _ in range(made):
            Node(alive)
        decode_page()
        assert full_collections() == before and len(alive) == made
        assert not gc.isenabled()
    finally:
        gc.enable()
        gc.collect()
