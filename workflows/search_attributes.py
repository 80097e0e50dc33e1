"""Custom search attributes the operations team filters on in the Temporal Web UI.

Values are opaque ids, codes and counts only: search attributes are not encrypted by a payload
codec, so no PHI may ever be written here.
"""

from __future__ import annotations

from typing import Any

from temporalio.common import SearchAttributeKey

PHASE = SearchAttributeKey.for_keyword("CcmPhase")
PROGRAM = SearchAttributeKey.for_keyword("CcmProgram")
PRACTICE = SearchAttributeKey.for_keyword("CcmPractice")
PRACTITIONER = SearchAttributeKey.for_keyword("CcmPractitioner")
SERVICE_MONTH = SearchAttributeKey.for_keyword("CcmServiceMonth")
MONTH_MINUTES = SearchAttributeKey.for_int("CcmMonthMinutes")
AT_RISK = SearchAttributeKey.for_bool("CcmAtRisk")
LAST_BILLED_MONTH = SearchAttributeKey.for_keyword("CcmLastBilledMonth")

ALL: list[SearchAttributeKey[Any]] = [
    PHASE,
    PROGRAM,
    PRACTICE,
    PRACTITIONER,
    SERVICE_MONTH,
    MONTH_MINUTES,
    AT_RISK,
    LAST_BILLED_MONTH,
]


def cli_flags() -> list[str]:
    """``--search-attribute Name=Type`` flags for ``temporal server start-dev``."""
    kinds = {"KEYWORD": "Keyword", "INT": "Int", "BOOL": "Bool"}
    flags: list[str] = []
    for key in ALL:
        flags += ["--search-attribute", f"{key.name}={kinds[key.indexed_value_type.name]}"]
    return flags
