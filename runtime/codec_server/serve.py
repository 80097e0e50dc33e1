"""Runs the codec server inside an asyncio program (``ccm dev``, ``ccm codec-server``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from aiohttp import web

from runtime.codec_server.app import build_app
from runtime.crypto.keyring import KeyRing
from runtime.errors import ServiceUnavailable


@dataclass
class CodecServer:
    """A listening codec server; ``url`` is what ``--ui-codec-endpoint`` is given."""

    runner: web.AppRunner
    url: str

    async def stop(self) -> None:
        await self.runner.cleanup()


async def start_codec_server(
    ring: KeyRing, token: str, origins: Sequence[str], *, host: str = "127.0.0.1", port: int
) -> CodecServer:
    """Listens on ``host:port`` (0: any free port); ``PortInUse``-style error if taken."""
    runner = web.AppRunner(build_app(ring, token, origins), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    try:
        await site.start()
    except OSError as exc:
        await runner.cleanup()
        raise ServiceUnavailable(
            f"codec server: cannot listen on {host}:{port} ({exc.strerror}): set CCM_CODEC_PORT"
        ) from None
    bound = runner.addresses[0][1]
    return CodecServer(runner, f"http://{host}:{bound}")
