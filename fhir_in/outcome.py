"""OperationOutcome for FHIR callers: one issue per refusal, with the FHIRPath in
``expression`` and ``resourceType/id: reason`` in ``diagnostics`` (never a value)."""

from __future__ import annotations

from typing import Any

from fhir.resources.R4B.operationoutcome import OperationOutcome

from fhir_in.bundle import Refusal


def outcome(issues: list[dict[str, Any]]) -> dict[str, Any]:
    """A validated OperationOutcome as JSON-ready data."""
    model = OperationOutcome.model_validate({"resourceType": "OperationOutcome", "issue": issues})
    data: dict[str, Any] = model.model_dump(mode="json", exclude_none=True)
    return data


def issue(code: str, diagnostics: str, expression: str | None = None,
          severity: str = "error") -> dict[str, Any]:  # fmt: skip
    """One issue; ``code`` from the IssueType value set (invalid, processing, transient…)."""
    found: dict[str, Any] = {"severity": severity, "code": code, "diagnostics": diagnostics}
    if expression:
        found["expression"] = [expression]
    return found


def refused(refusals: list[Refusal]) -> dict[str, Any]:
    """The OperationOutcome of refused entries: ``entry N resourceType/id: reason``."""
    return outcome([issue("invalid" if r.expression != "resourceType" else "not-supported",
                          f"entry {r.entry} {r.resource}: {r.reason}", r.expression)
                    for r in refusals])  # fmt: skip


def informational(text: str) -> dict[str, Any]:
    return outcome([issue("informational", text, severity="information")])
