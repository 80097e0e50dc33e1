"""``/metrics`` and ``/healthz`` for a worker or projector, on one port (``CCM_METRICS_PORT``).

The Temporal SDK serves its Prometheus page (runtime metrics and the engine's own, recorded
through its meter) on a private loopback port; this server relays it and answers health checks,
so a scraper and a load balancer each need only the one address.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from aiohttp import ClientError, ClientSession, ClientTimeout, web

Check = Callable[[], Awaitable[dict[str, bool]]]
TIMEOUT = ClientTimeout(total=5)


async def sdk_metrics(sdk_metrics_url: str) -> str | None:
    """The SDK's Prometheus page (None when it did not answer): what ``/metrics`` relays."""
    try:
        async with ClientSession(timeout=TIMEOUT) as session, session.get(sdk_metrics_url) as r:
            return await r.text()
    except (ClientError, TimeoutError):
        return None


async def health(component: str, check: Check) -> tuple[int, dict[str, object]]:
    """``/healthz``'s status and body: 200 when every check passed, else 503."""
    try:
        checks = await asyncio.wait_for(check(), 5)
    except (TimeoutError, OSError, RuntimeError):
        checks = {"checks": False}
    healthy = all(checks.values())
    status = "ok" if healthy else "failing"
    body: dict[str, object] = {"component": component, "status": status, **checks}
    return (200 if healthy else 503), body


def _app(component: str, sdk_metrics_url: str, check: Check) -> web.Application:
    async def metrics(_: web.Request) -> web.Response:
        body = await sdk_metrics(sdk_metrics_url)
        if body is None:
            return web.Response(status=503, text="# the SDK's metrics endpoint did not answer\n")
        return web.Response(text=body, content_type="text/plain", charset="utf-8")

    async def healthz(_: web.Request) -> web.Response:
        status, body = await health(component, check)
        return web.Response(status=status, text=json.dumps(body), content_type="application/json")

    app = web.Application()
    app.router.add_get("/metrics", metrics)
    app.router.add_get("/healthz", healthz)
    return app


@asynccontextmanager
async def serving(
    component: str, host: str, port: int, sdk_metrics_port: int, check: Check
) -> AsyncIterator[str]:
    """Serves until the block exits; yields the base URL."""
    runner = web.AppRunner(_app(component, f"http://127.0.0.1:{sdk_metrics_port}/metrics", check))
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    try:
        yield f"http://{host}:{port}"
    finally:
        await runner.cleanup()
