"""Every projection the runner serves, by name, in the order it applies them."""

from __future__ import annotations

from collections.abc import Sequence

from projections import audit, funnel, ledger, worklist
from projections.base import Projection

ALL: tuple[Projection, ...] = (
    ledger.projection,
    audit.projection,
    funnel.projection,
    worklist.projection,
)
NAMES: tuple[str, ...] = tuple(p.name for p in ALL)


class UnknownProjection(ValueError):
    """A name that is not a projection; the message lists the valid ones."""


def select(names: Sequence[str] | None = None) -> list[Projection]:
    """The named projections (all when ``names`` is None), in catalog order."""
    if names is None:
        return list(ALL)
    unknown = sorted(set(names) - set(NAMES))
    if unknown:
        raise UnknownProjection(
            f"unknown projection(s) {', '.join(unknown)}; known: {', '.join(NAMES)}"
        )
    return [p for p in ALL if p.name in names]
