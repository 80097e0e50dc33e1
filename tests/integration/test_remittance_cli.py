"""``ccm remittance import`` at the edge: a file that is no X12 is refused naming FILE, and a 999
the clearinghouse returned for an export is recorded for the reconciliation report."""

from __future__ import annotations

from pathlib import Path

import asyncpg
import pytest

from runtime.db_urls import DatabaseUrls

from .test_report_cli import ccm

pytestmark = pytest.mark.integration

ACK_999 = (
    "ISA*00*          *00*          *ZZ*CLEARINGHOUSE  *ZZ*CCMSUBMITTER   *261202*1558*^*00501"
    "*612021558*0*T*:~\nGS*FA*CLEARINGHOUSE*CCMSUBMITTER*20261202*155804*298407028*X*005010X231~\n"
    "ST*999*0001*005010X231~\nAK1*HC*7*005010X222A1~\nAK2*837*0001*005010X222A1~\nIK5*A~\n"
    "AK9*A*1*1*1~\nSE*6*0001~\nGE*1*298407028~\nIEA*1*612021558~\n"
)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="ascii")
    return path


async def test_not_x12_is_refused_and_a_999_is_recorded(
    db_urls: DatabaseUrls, tmp_path: Path, pool: asyncpg.Pool
) -> None:
    junk = write(tmp_path / "junk.835", "hello")
    code, _, err = await ccm(db_urls, tmp_path, "remittance", "import", str(junk))
    assert code == 2 and "FILE: not an X12 interchange" in err
    code, _, err = await ccm(db_urls, tmp_path, "remittance", "import", str(tmp_path / "none"))
    assert code == 2 and "FILE: cannot read" in err
    ack = write(tmp_path / "ack.999", ACK_999)
    code, _, err = await ccm(db_urls, tmp_path, "remittance", "import", str(ack))
    assert code == 0, err
    row = await pool.fetchrow("SELECT kind, interchange_control_number, status FROM claim_acks")
    assert row is not None and tuple(row) == ("999", 7, "A")
    code, _, err = await ccm(db_urls, tmp_path, "claims", "reopen", "claim-x-2025-01", "--by",
                             "a b", "--reason", "x")  # fmt: skip
    assert code == 2 and "--by: must be an opaque id" in err
