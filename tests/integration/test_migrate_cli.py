"""``ccm db migrate`` as a user runs it: the installed console script in a fresh process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from db.migrate import available

pytestmark = pytest.mark.integration

CCM = str(Path(sys.executable).parent / "ccm")


def ccm_db_migrate(data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in {"CCM_DATABASE_URL", "TEMPORAL_ADDRESS"}}
    env["CCM_DATA_DIR"] = str(data_dir)
    return subprocess.run(
        [CCM, "db", "migrate"], env=env, capture_output=True, text=True, check=False
    )


def test_migrate_applies_every_file_once_then_reports_up_to_date(stack_data_dir: Path) -> None:
    first = ccm_db_migrate(stack_data_dir)
    assert first.returncode == 0, first.stderr
    expected = [f"applied {m.version:04d}_{m.name}" for m in available()]
    assert first.stdout.splitlines() == (expected or ["up to date"])

    second = ccm_db_migrate(stack_data_dir)
    assert second.returncode == 0, second.stderr
    assert second.stdout.splitlines() == ["up to date"]
    # The embedded server was started for the command only and stopped with it.
    assert not (stack_data_dir / "pg" / "postmaster.pid").exists()
