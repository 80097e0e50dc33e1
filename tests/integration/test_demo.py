"""``ccm demo`` as a newcomer runs it: a small practice billed end to end, twice, none doubled."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

CCM = str(Path(sys.executable).parent / "ccm")


def run_demo(data_dir: Path, ports: tuple[int, int]) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in {"CCM_DATABASE_URL", "TEMPORAL_ADDRESS"}}
    env |= {
        "CCM_DATA_DIR": str(data_dir),
        "CCM_TEMPORAL_PORT": str(ports[0]),
        "CCM_UI_PORT": str(ports[1]),
        "CCM_CODEC_PORT": "0",  # any free port: never a running `ccm dev`'s
    }
    return subprocess.run(
        [CCM, "demo", "--exit", "--patients", "20"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )


def ingested(stdout: str) -> dict[str, int]:
    line = next(x for x in stdout.splitlines() if x.startswith("ingested: "))
    counts: dict[str, int] = json.loads(line.removeprefix("ingested: "))
    return counts


def test_demo_bills_the_synthetic_practice_and_a_second_run_duplicates_nothing(
    stack_data_dir: Path, free_ports: tuple[int, int]
) -> None:
    first = run_demo(stack_data_dir, free_ports)
    assert first.returncode == 0, first.stderr[-3000:]
    counts = ingested(first.stdout)
    assert counts["rejected"] == 0 and counts["duplicates"] == 0
    assert counts["recorded"] + counts["late"] == counts["lines_valid"]
    billing = first.stdout.split("== Billing", 1)[1].split("== Worklist", 1)[0]
    # The designed cases of the first 20 patients (upstream/synth): each track bills its codes.
    for code in ("99490", "99439x2", "99491", "99487", "99489", "99426", "99424"):
        assert code in billing, code
    assert "== Worklist" in first.stdout and "CcmAtRisk=true" in first.stdout

    second = run_demo(stack_data_dir, free_ports)
    assert second.returncode == 0, second.stderr[-3000:]
    again = ingested(second.stdout)
    assert again["recorded"] == 0 and again["late"] == 0
    assert again["duplicates"] == counts["lines_valid"]
