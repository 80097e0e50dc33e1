"""Decoding pages of events without the cyclic garbage collector, and without disarming it.

Decoding a page allocates thousands of small objects that all outlive the page (models, their
dicts and field sets, nested models). Left young, each would be traversed by the next young
collection while the caller still holds the page, again in the middle generation, and counted
toward full collections: 15-25% of a decoded read's time (bench/side_by_side.py). So a page is
decoded with the collector paused and then moved, with every other young object, straight to
the oldest generation (``gc.freeze()`` then ``gc.unfreeze()``, constant time).

CPython runs a full collection once the objects promoted into the oldest generation pass a
quarter of those that survived the last one; objects moved there by ``gc.unfreeze()`` are never
counted. In a worker the young objects moved with a page include garbage cycles (an evicted
workflow's instance, its tasks and frames), so without a rule of our own full collections would
stop and a worker's memory would grow with every patient it has seen, past any cache bound
(bench/scale.py). The rule kept here counts the young objects each page moves (CPython's
trigger) and, once they pass a quarter of the heap, looks at what the move left behind: a full
collection runs only if the interpreter holds a quarter more memory blocks than after the last
one. A reader whose heap stays level (a projection, ``read_all``) never pays for one; a heap
that grows pays at CPython's rate. Every check is constant time but the block count, taken once
per quarter.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterator
from contextlib import contextmanager


class _Oldest:
    """What ``decoding()`` knows of the oldest generation since the last full collection."""

    blocks = 0  # sys.getallocatedblocks() just after it
    moved = 0  # young objects decoding() has moved there since
    full_collections = -1  # gc.get_stats()'s count for the oldest generation then


def _after_full_collection() -> None:
    _Oldest.blocks, _Oldest.moved = sys.getallocatedblocks(), 0
    _Oldest.full_collections = gc.get_stats()[2]["collections"]


def _collect_if_due(moved: int) -> None:
    """Counts ``moved`` young objects; past a quarter of the heap, a full collection if the
    heap grew by a quarter since the last one (else the count starts again)."""
    if gc.get_stats()[2]["collections"] != _Oldest.full_collections:
        _after_full_collection()  # the first call, or CPython ran one: count from here
    _Oldest.moved += moved
    if _Oldest.moved <= _Oldest.blocks // 4:
        return
    if sys.getallocatedblocks() > _Oldest.blocks + _Oldest.blocks // 4:
        gc.collect()
        _after_full_collection()
    else:
        _Oldest.moved = 0


@contextmanager
def decoding() -> Iterator[None]:
    """Decodes a batch of events with the cyclic garbage collector paused, then moves every
    young object, the batch's included, to the collector's oldest generation, running a full
    collection when the heap has grown by a quarter since the last one (the module's rule).

    Decoded events hold no reference cycles, so reference counting frees them wherever they
    sit. It undoes any earlier ``gc.freeze()`` (the engine makes none), and collects nothing
    when the caller had the collector disabled. Use only around synchronous code.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        moved = gc.get_count()[0]  # the young generation's objects, before the move resets it
        gc.freeze()
        gc.unfreeze()
        if enabled:
            _collect_if_due(moved)
            gc.enable()
