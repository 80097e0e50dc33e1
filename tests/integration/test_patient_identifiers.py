"""``patient_identifiers``: another system's identifier names one engine patient, forever."""

from __future__ import annotations

import json
from pathlib import Path

import asyncpg
import pytest

from runtime.db_urls import DatabaseUrls
from tests.integration.test_report_cli import ccm
from upstream.identifiers import AmbiguousIdentifiers, IdentifierTaken, link, resolve

pytestmark = pytest.mark.integration


async def test_a_link_resolves_and_is_never_moved(app_pool: asyncpg.Pool) -> None:
    assert await link(app_pool, "HOSP", "12345", "p-1", by="clerk-1") == "linked"
    assert await link(app_pool, "HOSP", "12345", "p-1") == "already linked"
    with pytest.raises(IdentifierTaken) as taken:
        await link(app_pool, "HOSP", "12345", "p-2")
    assert "12345" not in str(taken.value)
    assert await resolve(app_pool, [("OTHER", "1"), ("HOSP", "12345")]) == "p-1"
    assert await resolve(app_pool, [("HOSP", "99999")]) is None
    assert await resolve(app_pool, []) is None


async def test_identifiers_naming_two_patients_are_ambiguous(app_pool: asyncpg.Pool) -> None:
    await link(app_pool, "HOSP", "1", "p-1")
    await link(app_pool, "CLINIC", "1", "p-2")
    with pytest.raises(AmbiguousIdentifiers):
        await resolve(app_pool, [("HOSP", "1"), ("CLINIC", "1")])


async def test_the_app_cannot_change_a_link_and_reports_cannot_read_them(
    app_pool: asyncpg.Pool, report_pool: asyncpg.Pool
) -> None:
    await link(app_pool, "HOSP", "7", "p-1")
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        await app_pool.execute("UPDATE patient_identifiers SET patient_id = 'p-2'")
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        await report_pool.fetch("SELECT * FROM patient_identifiers")


async def test_the_owner_cannot_change_a_link_either(pool: asyncpg.Pool) -> None:
    await pool.execute(
        "INSERT INTO patient_identifiers (system, value, patient_id) VALUES ('H', '8', 'p-1')"
    )
    with pytest.raises(asyncpg.PostgresError, match="names one patient forever"):
        await pool.execute("DELETE FROM patient_identifiers")


async def test_ccm_patients_link_never_prints_the_value(
    db_urls: DatabaseUrls, tmp_path: Path
) -> None:
    args = ("patients", "link", "--system", "HOSP", "--value", "MRN-55501", "--patient")
    code, out, err = await ccm(db_urls, tmp_path, *args, "p-0001")
    assert code == 0, err
    assert json.loads(out) == {"system": "HOSP", "patient": "p-0001", "result": "linked"}
    code, out, err = await ccm(db_urls, tmp_path, *args, "p-0002")
    assert code == 1 and "linked to another patient" in err
    assert "MRN-55501" not in out + err
