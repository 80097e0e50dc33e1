"""``ccm fees import`` and ``ccm fees show`` as a biller runs them, against a real database."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import asyncpg
import pytest

from billing.fee_store import schedule_in_effect
from runtime.db_urls import DatabaseUrls
from tests.integration.test_report_cli import ccm

pytestmark = pytest.mark.integration

JANUARY = "HCPCS,MOD,Non-Facility Price\n99490,,70.00\n99439,,52.00\n99213,,99.00\n"
JULY = "HCPCS,MOD,Non-Facility Price\n99490,,71.50\n"


async def test_an_import_prices_from_its_date_and_reimporting_is_the_same_version(
    db_urls: DatabaseUrls, tmp_path: Path, pool: asyncpg.Pool
) -> None:
    jan, jul = tmp_path / "jan.csv", tmp_path / "jul.csv"
    jan.write_text(JANUARY)
    jul.write_text(JULY)
    args = ("fees", "import", "--practice", "practice-1", "--year", "2026", "--by", "biller-1")
    code, out, err = await ccm(db_urls, tmp_path, *args, str(jan))
    assert code == 0, err
    first = json.loads(out)
    assert first["new"] and first["codes"] == ["99439", "99490"]
    code, out, _ = await ccm(db_urls, tmp_path, *args, str(jan))
    assert code == 0 and json.loads(out) == first | {"new": False}
    code, out, _ = await ccm(db_urls, tmp_path, *args, "--effective", "2026-07-01", str(jul))
    assert code == 0
    june = await schedule_in_effect(pool, "practice-1", date(2026, 6, 30))
    july = await schedule_in_effect(pool, "practice-1", date(2026, 7, 31))
    assert (june.amount(2026, "99490"), july.amount(2026, "99490")) == (
        Decimal("70.00"),
        Decimal("71.50"),
    )
    assert july.amount(2026, "99439") is None  # the July file does not list it: national, none
    national = await schedule_in_effect(pool, "other-practice", date(2026, 6, 30))
    assert national.label == "national" and june.amount(2025, "99490") == Decimal("60.49")
    code, out, _ = await ccm(
        db_urls, tmp_path, "fees", "show", "--practice", "practice-1", "--on", "2026-07-31"
    )
    assert code == 0 and "CY2026 99490     71.50" in out and "import #" in out


@pytest.mark.parametrize(
    "content, args, message",
    [
        (
            "HCPCS,Non-Facility Price\n99490,x\n",
            ("--year", "2026"),
            "line 2, column 'Non-Facility Price'",
        ),
        (
            "HCPCS,Non-Facility Price\n99490,1\n",
            ("--year", "2026", "--effective", "2025-01-01"),
            "not in the schedule's year",
        ),
        (
            "HCPCS,Non-Facility Price\n99490,1\n",
            ("--year", "2026", "--practice", "Jane Doe"),
            "--practice must be an opaque id",
        ),
    ],
)
async def test_a_bad_file_or_flag_exits_2_naming_the_problem_and_stores_nothing(
    db_urls: DatabaseUrls,
    tmp_path: Path,
    pool: asyncpg.Pool,
    content: str,
    args: tuple[str, ...],
    message: str,
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(content)
    practice = () if "--practice" in args else ("--practice", "practice-1")
    code, _, err = await ccm(db_urls, tmp_path, "fees", "import", *practice, *args, str(path))
    assert code == 2 and message in err
    assert await pool.fetchval("SELECT count(*) FROM fee_schedules") == 0
