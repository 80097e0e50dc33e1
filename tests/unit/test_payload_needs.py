"""Which payloads a projection's read carries (events/payloads.py), and that every projection
asks for each one its ``take`` decodes: a payload left out would set a patient aside for
nothing, so the catalogue is checked type by type, version by version."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from events.payloads import PayloadNeeds, union
from events.registry import DEFAULT_REGISTRY
from projections import catalog
from projections.base import Projection
from projections.batch import Batch, MissingPayload
from projections.set_sql import SetSql

LEDGERISH = PayloadNeeds(frozenset({"late_entry_recorded"}), {"month_closed": 3})


@pytest.mark.parametrize(
    ("type_", "version", "needed"),
    [
        ("late_entry_recorded", 1, True),  # decoded at every version
        ("late_entry_recorded", 7, True),
        ("month_closed", 3, False),  # read in the database at its current version
        ("month_closed", 2, True),  # an older version is upcast in Python
        ("month_closed", 4, True),  # an unknown one must fail decoding, naming its position
        ("time_logged", 1, False),  # not wanted at all
    ],
)
def test_a_payload_is_needed_where_python_decodes_it(
    type_: str, version: int, needed: bool
) -> None:
    assert LEDGERISH.needs(type_, version) is needed


def test_readers_sharing_a_read_need_what_any_of_them_needs() -> None:
    funnel = PayloadNeeds(frozenset({"phase_changed", "month_closed"}))
    both = union([LEDGERISH, funnel])
    assert both == PayloadNeeds(
        frozenset({"late_entry_recorded", "phase_changed", "month_closed"}), {}
    )
    assert union([LEDGERISH, None]) is None
    assert union([]) == PayloadNeeds()


def test_two_database_versions_of_one_type_send_it_at_every_version() -> None:
    odd = union([LEDGERISH, PayloadNeeds(frozenset(), {"month_closed": 2})])
    assert odd is not None and odd.needs("month_closed", 3) and odd.needs("month_closed", 2)


def _decodes(projection: Projection, type_: str, version: int) -> bool:
    """Whether ``take`` decodes such a row: wanted, and not read by a set-based statement at
    exactly that version."""
    if not projection.wants(type_):
        return False
    sets = {s.type_name: s.schema_version for s in projection.statements if isinstance(s, SetSql)}
    return sets.get(type_) != version


@pytest.mark.parametrize("projection", catalog.ALL, ids=lambda p: p.name)
def test_every_projection_reads_the_payload_of_every_event_it_decodes(
    projection: Projection,
) -> None:
    needs = projection.payload_needs()
    rows = [(t, v) for t, current in DEFAULT_REGISTRY.current_versions().items()
            for v in range(1, current + 2)] + [("never_registered", 1)]  # fmt: skip
    missing = [
        (t, v)
        for t, v in rows
        if _decodes(projection, t, v) and needs is not None and not needs.needs(t, v)
    ]
    assert missing == []


def test_a_row_read_without_its_payload_is_refused_by_position_not_decoded() -> None:
    at = datetime(2025, 1, 2, tzinfo=UTC)
    row = (41, "patient-p1", 3, "upstream:e1", "time_logged", 1, at, None)
    with pytest.raises(MissingPayload, match=r"position 41 \(time_logged\)"):
        Batch(40, [row]).event(0)  # type: ignore[list-item]


def test_a_projection_that_widens_what_it_wants_reads_every_payload_unless_it_says() -> None:
    class Everything(Projection):
        def wants(self, event_type: str) -> bool:
            return True

    assert Everything("everything", (), ()).payload_needs() is None
    assert Projection("plain", (), ()).payload_needs() == PayloadNeeds()
