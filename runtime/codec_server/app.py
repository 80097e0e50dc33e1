"""The codec server's routes: Temporal's codec-server contract over the project's codec.

``POST /encode`` and ``POST /decode`` take and return ``{"payloads": [...]}``, each payload in
protobuf JSON (``metadata`` values and ``data`` base64), the body the Web UI and the ``temporal``
CLI send. Query parameters (the UI adds ``preserveStorageRefs``) and ``X-Namespace`` are ignored:
one server serves one key ring.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Sequence

from aiohttp import web
from google.protobuf import json_format
from temporalio.api.common.v1 import Payload, Payloads

from runtime.codec_server import guard, login
from runtime.crypto.codec import EncryptionCodec
from runtime.crypto.keyring import KeyRing, KeyRingError

Transform = Callable[[Sequence[Payload]], Awaitable[list[Payload]]]
MAX_BODY_BYTES = 16 * 1024 * 1024  # Temporal refuses payloads over 2 MB; a page sends several


def build_app(ring: KeyRing, token: str, origins: Sequence[str]) -> web.Application:
    """The app for ``ring``, callable from ``origins`` by holders of ``token``."""
    app = web.Application(
        middlewares=[guard.cors, guard.require_token], client_max_size=MAX_BODY_BYTES
    )
    app[guard.TOKEN_KEY] = token
    app[guard.ORIGINS_KEY] = frozenset(o.rstrip("/") for o in origins)
    codec = EncryptionCodec(ring)
    for path, transform in (("/encode", codec.encode), ("/decode", codec.decode)):
        app.router.add_post(path, _handler(transform))
        app.router.add_route("OPTIONS", path, _preflight)
    app.router.add_get("/login", login.form)
    app.router.add_post("/login", login.sign_in)
    return app


async def _preflight(_request: web.Request) -> web.Response:
    return web.Response(status=204)  # the CORS middleware adds the headers


def _handler(transform: Transform) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def handle(request: web.Request) -> web.Response:
        try:
            payloads = parse_payloads(await request.read())
        except ValueError as exc:
            return guard.error(400, str(exc))
        try:
            result = await transform(payloads)
        except KeyRingError as exc:
            return guard.error(422, str(exc))
        body = json_format.MessageToDict(Payloads(payloads=result))
        return web.json_response({"payloads": body.get("payloads", [])})

    return handle


def parse_payloads(body: bytes) -> list[Payload]:
    """The payloads of a codec request; ``ValueError`` naming what is wrong otherwise."""
    try:
        document = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ValueError("body: not JSON") from None
    if not isinstance(document, dict) or not isinstance(document.get("payloads"), list):
        raise ValueError('body: expected {"payloads": [...]}')
    parsed = Payloads()
    try:
        json_format.ParseDict({"payloads": document["payloads"]}, parsed)
    except json_format.ParseError:
        raise ValueError(
            "field payloads: not Temporal payloads (metadata, data in base64)"
        ) from None
    return list(parsed.payloads)
