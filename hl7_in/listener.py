"""The MLLP listener: an asyncio TCP server; each connection's messages are handled in order
(ADT order matters) and each is answered with its ACK before the next is read."""

from __future__ import annotations

import asyncio
import contextlib

import structlog

from hl7_in import errors as E
from hl7_in.ack import error_ack
from hl7_in.handler import AdtHandler
from hl7_in.mllp import FrameTooLarge, MllpDecoder, frame
from hl7_in.parse import Header

log = structlog.get_logger(__name__)
READ_SIZE = 64 * 1024


async def serve(handler: AdtHandler, host: str, port: int) -> asyncio.Server:
    """A started server on ``host:port`` (port 0: any free one; see ``server.sockets``)."""

    async def connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        decoder = MllpDecoder()
        try:
            while data := await reader.read(READ_SIZE):
                for message in decoder.feed(data):
                    writer.write(frame(await handler.handle(message)))
                    await writer.drain()
        except FrameTooLarge as exc:
            refused = E.AdtError("AR", E.APPLICATION_ERROR, "", str(exc))
            writer.write(frame(error_ack(Header(), refused, handler.mapper.clock(), "too-large")))
            with contextlib.suppress(ConnectionError):
                await writer.drain()
        except ConnectionError:
            log.info("mllp connection lost")
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()

    return await asyncio.start_server(connection, host, port)
