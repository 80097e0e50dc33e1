"""``ccm billing evaluate``: exit 0 with the decision JSON, exit 2 naming the bad field."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from care.facts import MonthFacts
from cli.main import main

FACTS: dict[str, Any] = {
    "service_month": "2025-03",
    "timezone": "America/New_York",
    "program": "ccm",
    "conditions": ["E11.9", "I10"],
    "last_visit_on": "2024-12-02",
    "initiating_visit": {"on": "2025-01-05", "code": "99214", "g0506": False},
    "consent_at": "2025-01-10T15:00:00-05:00",
    "care_plan_at": "2025-01-12T09:00:00-05:00",
    "time_entries": [
        {
            "id": "t1",
            "staff_id": "rn-1",
            "role": "clinical_staff",
            "minutes": 12,
            "at": "2025-03-04T10:00:00-05:00",
        },
        {
            "id": "t2",
            "staff_id": "ma-2",
            "role": "clinical_staff",
            "start": "2025-03-18T09:00:00-04:00",
            "end": "2025-03-18T09:28:00-04:00",
        },
        {
            "id": "t3",
            "staff_id": "rn-1",
            "role": "clinical_staff",
            "minutes": 15,
            "at": "2025-01-09T10:00:00-05:00",
        },
    ],
}


def run(tmp_path: Path, facts: dict[str, Any] | str) -> int:
    path = tmp_path / "month.json"
    path.write_text(facts if isinstance(facts, str) else json.dumps(facts))
    return main(["billing", "evaluate", str(path)])


def test_a_billing_month_prints_the_decision_and_exits_0(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(tmp_path, FACTS) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["track"] == "ccm_staff"
    assert out["codes"] == [
        {"code": "99490", "units": 1, "date_of_service": "2025-03-31"},
        {"code": "99439", "units": 1, "date_of_service": "2025-03-31"},
    ]
    assert (out["counted_minutes"], out["date_of_service"]) == (40, "2025-03-31")
    assert (out["allowed_amount"], out["patient_share"]) == ("106.42", "21.28")
    assert out["excluded"] == [{"entry": "t3", "reason": "outside_month", "minutes": 15}]


def test_a_month_that_bills_nothing_still_exits_0(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(tmp_path, FACTS | {"ccm_billed_elsewhere": True}) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["track"] is None and out["codes"] == []
    assert "another practitioner" in out["reasons"][0]


def test_reads_standard_input() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "cli.main", "billing", "evaluate", "-"],
        input=json.dumps(FACTS),
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["track"] == "ccm_staff"


def _entry(index: int, **changes: Any) -> dict[str, Any]:
    entries = [dict(e) for e in FACTS["time_entries"]]
    entries[index].update(changes)
    return FACTS | {"time_entries": entries}


BAD_INPUT = [
    pytest.param(
        _entry(1, minutes=0, at="2025-03-04T10:00:00-05:00"),
        "field time_entries[1]",
        id="both forms",
    ),
    pytest.param(_entry(0, minutes=0), "field time_entries[0].minutes", id="zero minutes"),
    pytest.param(_entry(0, role="janitor"), "field time_entries[0].role", id="unknown role"),
    pytest.param(_entry(0, at="2025-03-04T10:00:00"), "field time_entries[0].at", id="naive time"),
    pytest.param(FACTS | {"conditions": ["I10", "E1"]}, "field conditions[1]", id="bad ICD-10"),
    pytest.param(FACTS | {"service_month": "2025-13"}, "field service_month", id="bad month"),
    pytest.param(FACTS | {"timezone": "Mars/Base"}, "field timezone", id="unknown zone"),
    pytest.param(FACTS | {"program": "rpm"}, "field program", id="unknown program"),
    pytest.param(FACTS | {"surprise": 1}, "field surprise", id="unknown field"),
    pytest.param({k: v for k, v in FACTS.items() if k != "program"}, "field program", id="missing"),
    pytest.param("{not json", "invalid JSON", id="not JSON"),
]


@pytest.mark.parametrize("facts, words", BAD_INPUT)
def test_invalid_input_exits_2_naming_the_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], facts: dict[str, Any] | str, words: str
) -> None:
    assert run(tmp_path, facts) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert words in captured.err
    assert captured.err.count("\n") == 1


def test_the_bad_value_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(tmp_path, FACTS | {"conditions": ["I10", "E1"]}) == 2
    assert "'E1'" in capsys.readouterr().err


def test_missing_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["billing", "evaluate", str(tmp_path / "absent.json")]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_bad_policy_variable_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CCM_POLICY_GRACE_DAYS", "soon")
    assert run(tmp_path, FACTS) == 2
    assert "CCM_POLICY_GRACE_DAYS" in capsys.readouterr().err


def test_policy_variables_change_the_decision(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CCM_POLICY_BILL_ON_THRESHOLD_DAY", "true")
    assert run(tmp_path, FACTS) == 0
    assert json.loads(capsys.readouterr().out)["date_of_service"] == "2025-03-18"


def test_help_documents_every_input_field(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["billing", "evaluate", "--help"])
    assert info.value.code == 0
    text = capsys.readouterr().out
    for name in MonthFacts.model_fields:
        assert name in text, name
