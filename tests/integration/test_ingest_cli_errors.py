"""``ccm ingest`` / ``ccm send`` meet bad files and flags as a user would: one line, never a
traceback, exit 2, and nothing PHI-bearing on screen or in the reject file (0600)."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

CCM = str(Path(sys.executable).parent / "ccm")
PHI_LINE = '{"type": "patient_identified", "demographics": {"name": "Avery Synth-Ashby"'


def ccm(tmp_path: Path, *args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in {"CCM_DATABASE_URL", "TEMPORAL_ADDRESS"}}
    env["CCM_DATA_DIR"] = str(tmp_path / "no-stack")
    return subprocess.run(
        [CCM, *args], input=stdin.decode("latin-1"), env=env, capture_output=True, text=True,
        timeout=60, check=False,
    )  # fmt: skip


def clean(result: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in result.stderr and "Synth-Ashby" not in result.stderr + result.stdout


@pytest.fixture
def bad_feed(tmp_path: Path) -> Path:
    path = tmp_path / "feed.jsonl"
    path.write_bytes(b"\xff\xfe\x00 not text\n" + PHI_LINE.encode() + b"\n")
    return path


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p / "missing.jsonl", "cannot read"),
        (lambda p: p, "is a directory"),
    ],
    ids=["missing input", "input is a directory"],
)
def test_an_unreadable_input_is_one_line_and_exit_2(
    tmp_path: Path, make: object, message: str
) -> None:
    result = ccm(tmp_path, "ingest", str(make(tmp_path)))  # type: ignore[operator]
    assert result.returncode == 2 and message in result.stderr
    clean(result)


def test_a_file_of_broken_lines_is_summarised_with_an_owner_only_reject_file(
    tmp_path: Path, bad_feed: Path
) -> None:
    result = ccm(tmp_path, "ingest", str(bad_feed))
    assert result.returncode == 2
    clean(result)
    summary = json.loads(result.stdout)
    assert summary["rejected"] == 2 and summary["lines_valid"] == 0
    rejects = Path(summary["reject_file"])
    assert stat.S_IMODE(rejects.stat().st_mode) == 0o600
    records = [json.loads(line) for line in rejects.read_text().splitlines()]
    assert [(r["line"], r["field"]) for r in records] == [(1, "(line)"), (2, "(event)")]
    assert "Synth-Ashby" not in rejects.read_text()


@pytest.mark.parametrize(
    ("reject", "message"),
    [
        ("dir", "is a directory"),
        ("missing/dir/r.jsonl", "cannot write --reject-file"),
        ("input", "is the input file"),
    ],
)
def test_a_reject_file_that_cannot_be_used_is_refused_before_anything_is_sent(
    tmp_path: Path, bad_feed: Path, reject: str, message: str
) -> None:
    before = bad_feed.read_bytes()
    target = {"dir": str(tmp_path), "input": str(bad_feed)}.get(reject, str(tmp_path / reject))
    result = ccm(tmp_path, "ingest", str(bad_feed), "--reject-file", target)
    assert result.returncode == 2 and message in result.stderr
    assert bad_feed.read_bytes() == before  # the input is never overwritten
    clean(result)


def test_a_full_disk_for_the_reject_file_puts_the_refusals_on_stderr(
    tmp_path: Path, bad_feed: Path
) -> None:
    result = ccm(tmp_path, "ingest", str(bad_feed), "--reject-file", "/dev/full")
    assert result.returncode == 2
    assert "No space left on device" in result.stderr and '"line": 2' in result.stderr
    assert json.loads(result.stdout)["reject_file"] is None
    clean(result)


@pytest.mark.parametrize("value", ["-1", "0", "65", "abc"])
def test_a_bad_concurrency_is_refused(tmp_path: Path, bad_feed: Path, value: str) -> None:
    result = ccm(tmp_path, "ingest", str(bad_feed), "--concurrency", value)
    assert result.returncode == 2 and "--concurrency" in result.stderr
    clean(result)


@pytest.mark.parametrize(
    ("argument", "message"),
    [("", "no event given"), ("@", "give a file name"), ("@/no/such/file", "cannot read"),
     (PHI_LINE, "Invalid JSON")],
    ids=["empty", "bare @", "missing @file", "broken JSON with a name"],
)  # fmt: skip
def test_send_refuses_bad_input_in_one_line(tmp_path: Path, argument: str, message: str) -> None:
    result = ccm(tmp_path, "send", argument)
    assert result.returncode == 2 and message in result.stderr
    clean(result)
