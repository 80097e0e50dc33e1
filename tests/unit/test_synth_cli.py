"""``ccm synth`` as a user runs it: JSONL out, a summary on stderr, exit codes."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from pydantic import TypeAdapter

from cli.main import main
from events.upstream import UpstreamEvent
from upstream.synth import generate_feed, to_jsonl

ADAPTER: TypeAdapter[UpstreamEvent] = TypeAdapter(UpstreamEvent)
ARGS = ["synth", "--patients", "25", "--seed", "3", "--months", "3", "--end", "2026-11-27"]


def test_writes_the_seeded_feed_to_a_file_and_a_summary_to_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "feed.jsonl"
    assert main([*ARGS, "--out", str(out)]) == 0
    expected = generate_feed(patients=25, seed=3, months=3, end=date(2026, 11, 27))
    assert out.read_text(encoding="utf-8") == "".join(to_jsonl(expected))
    captured = capsys.readouterr()
    assert captured.out == ""
    assert f"ccm synth: {len(expected)} events for 25 patients" in captured.err
    assert "edge_cases:" in captured.err and "late_entries=" in captured.err


def test_writes_to_stdout_by_default_one_valid_event_per_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(ARGS) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) > 100
    assert all(ADAPTER.validate_json(line).patient_id.startswith("p-") for line in lines)


def test_refuses_an_unsupported_month_count_with_exit_code_2(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["synth", "--months", "13", "--end", "2026-11-27"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "months must be between 2 and 12" in captured.err
