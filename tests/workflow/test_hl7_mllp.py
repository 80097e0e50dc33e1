"""ADT over MLLP on a real loopback socket, into a worker on the time-skipping server and the
real event store: every message is ACKed, stays are recorded and cancelled, an unknown MRN
creates nothing."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from functools import partial

import pytest_asyncio

from hl7_in.handler import AdtHandler, AdtMapper
from hl7_in.listener import serve
from hl7_in.mllp import END, frame
from tests.unit.hl7_messages import MRN, adt
from upstream.identifiers import link, resolve

from .builders import life
from .conftest import Engine

Connection = tuple[asyncio.StreamReader, asyncio.StreamWriter]


def dtm(at: datetime) -> str:
    return at.strftime("%Y%m%d%H%M%z")


@pytest_asyncio.fixture(loop_scope="session")
async def mllp(engine: Engine) -> AsyncIterator[Connection]:
    now = await engine.now()
    mapper = AdtMapper(partial(resolve, engine.pool), "hl7", clock=lambda: now)
    server = await serve(AdtHandler(mapper, engine.client.send), "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    yield reader, writer
    writer.close()
    server.close()
    await server.wait_closed()


async def exchange(connection: Connection, message: bytes) -> list[list[str]]:
    """Sends one framed message, returns its ACK's segments split into fields."""
    reader, writer = connection
    writer.write(frame(message))
    await writer.drain()
    raw = await asyncio.wait_for(reader.readuntil(END), timeout=60)
    assert raw.startswith(b"\x0b")
    return [s.split("|") for s in raw[1 : -len(END)].decode().split("\r") if s]


async def test_admit_cancel_and_discharge_over_mllp(engine: Engine, mllp: Connection) -> None:
    p = life(engine.patient())
    now = await engine.now()
    await engine.client.send([*p.enrolled(now - timedelta(days=20))])
    await link(engine.pool, "HOSP", MRN, p.id)
    admitted, discharged = now - timedelta(days=5), now - timedelta(days=2)

    ack = await exchange(mllp, adt("A01", control="c1", admitted=dtm(admitted), evn=dtm(admitted)))
    assert ack[1][:3] == ["MSA", "AA", "c1"] and ack[1][3] == "recorded 1, already recorded 0"
    ack = await exchange(mllp, adt("A01", control="c1", admitted=dtm(admitted), evn=dtm(admitted)))
    assert ack[1][:4] == ["MSA", "AA", "c1", "recorded 0, already recorded 1"]
    cancel = adt("A11", control="c2", admitted=dtm(admitted), evn=dtm(now - timedelta(days=4)))
    assert (await exchange(mllp, cancel))[1][:2] == ["MSA", "AA"]
    a03 = adt("A03", control="c3", discharged=dtm(discharged), evn=dtm(discharged))
    assert (await exchange(mllp, a03))[1][:2] == ["MSA", "AA"]

    types = [s.type for s in await engine.events(p)]
    assert types[-3:] == [
        "patient_admitted", "patient_admission_cancelled", "patient_discharged",
    ]  # fmt: skip
    assert (await engine.events(p, "patient_admitted"))[0].event.meta.source == "hl7"


async def test_unknown_mrn_and_unreadable_messages_are_acked_and_create_nothing(
    engine: Engine, mllp: Connection
) -> None:
    before = await engine.pool.fetchval("SELECT count(*) FROM events")
    ack = await exchange(mllp, adt("A01", control="u1", pid3="000^^^HOSP^MR"))
    assert ack[1][:2] == ["MSA", "AE"] and ack[2][2:4] == [
        "PID^1^3",
        "204^Unknown key identifier^HL70357",
    ]
    ack = await exchange(mllp, b"not an hl7 message")
    assert ack[1][:2] == ["MSA", "AR"]
    ack = await exchange(mllp, adt("R01", control="u2", message_type="ORU"))
    assert ack[1][:3] == ["MSA", "AR", "u2"] and ack[2][3].startswith("200^")
    assert await engine.pool.fetchval("SELECT count(*) FROM events") == before
