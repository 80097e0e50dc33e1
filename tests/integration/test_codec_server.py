"""The codec server on a real loopback port, called as the Web UI and the CLI call it: CORS for
the UI's origin only, the access token required (bearer or the /login cookie), Temporal's JSON."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
import pytest_asyncio

from runtime.codec_server.guard import COOKIE
from runtime.codec_server.serve import CodecServer, start_codec_server
from runtime.crypto.keyring import DataKey, StaticKeyRing

pytestmark = pytest.mark.integration

UI = "http://127.0.0.1:8233"
TOKEN = "t0ken-for-the-codec-server-tests-only"
KEYS = StaticKeyRing([DataKey("k-test", b"\x07" * 32)])


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


PLAIN = {"metadata": {"encoding": b64(b"json/plain")}, "data": b64(b'{"name": "Synth-Ada"}')}


@pytest_asyncio.fixture(loop_scope="session")
async def codec() -> AsyncIterator[CodecServer]:
    server = await start_codec_server(KEYS, TOKEN, [UI], port=0)
    try:
        yield server
    finally:
        await server.stop()


@pytest_asyncio.fixture(loop_scope="session")
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def call(
    http: aiohttp.ClientSession, url: str, body: Any, **headers: str
) -> tuple[int, Any, dict[str, str]]:
    async with http.post(url, json=body, headers=headers) as resp:
        return resp.status, await resp.json(), dict(resp.headers)


async def test_encode_then_decode_round_trips_in_temporals_json_format(
    codec: CodecServer, http: aiohttp.ClientSession
) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    status, encoded, _ = await call(http, f"{codec.url}/encode", {"payloads": [PLAIN]}, **auth)
    assert status == 200
    [sealed] = encoded["payloads"]
    assert base64.b64decode(sealed["metadata"]["encoding"]) == b"binary/encrypted"
    assert base64.b64decode(sealed["metadata"]["encryption-key-id"]) == b"k-test"
    assert b"Synth-" not in base64.b64decode(sealed["data"])
    # The UI adds a query parameter; it changes nothing.
    url = f"{codec.url}/decode?preserveStorageRefs=true"
    status, decoded, _ = await call(http, url, encoded, **auth, **{"X-Namespace": "default"})
    assert (status, decoded) == (200, {"payloads": [PLAIN]})


async def test_without_the_token_a_call_gets_401_and_the_ui_can_read_why(
    codec: CodecServer, http: aiohttp.ClientSession
) -> None:
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {TOKEN}"}):
        status, body, seen = await call(
            http, f"{codec.url}/decode", {"payloads": [PLAIN]}, Origin=UI, **headers
        )
        assert status == 401 and "access token" in body["error"]
        assert seen["Access-Control-Allow-Origin"] == UI  # so the browser shows the 401


async def test_a_preflight_from_the_ui_is_allowed_with_the_headers_it_sends(
    codec: CodecServer, http: aiohttp.ClientSession
) -> None:
    headers = {
        "Origin": UI,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type,x-namespace",
    }
    async with http.options(f"{codec.url}/decode", headers=headers) as resp:
        assert resp.status == 204
        allowed = {
            h.strip().lower() for h in resp.headers["Access-Control-Allow-Headers"].split(",")
        }
        assert {"authorization", "content-type", "x-namespace"} <= allowed
        assert resp.headers["Access-Control-Allow-Origin"] == UI
        assert resp.headers["Access-Control-Allow-Credentials"] == "true"
        assert "POST" in resp.headers["Access-Control-Allow-Methods"]


async def test_another_origin_is_refused_even_with_the_token(
    codec: CodecServer, http: aiohttp.ClientSession
) -> None:
    evil = "http://127.0.0.1:9999"
    async with http.options(f"{codec.url}/decode", headers={"Origin": evil}) as resp:
        assert resp.status == 403 and "Access-Control-Allow-Origin" not in resp.headers
    status, body, seen = await call(
        http, f"{codec.url}/decode", {"payloads": [PLAIN]}, Origin=evil,
        Authorization=f"Bearer {TOKEN}",
    )  # fmt: skip
    assert status == 403 and "Access-Control-Allow-Origin" not in seen
    assert evil in body["error"]


async def test_login_sets_an_httponly_strict_cookie_that_then_authorises_the_ui(
    codec: CodecServer,
) -> None:
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as browser:
        async with browser.post(f"{codec.url}/login", data={"token": "nope"}) as resp:
            assert resp.status == 401 and COOKIE not in resp.cookies
        async with browser.post(f"{codec.url}/login", data={"token": TOKEN}) as resp:
            assert resp.status == 200
            cookie = resp.headers["Set-Cookie"]
            assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
        status, decoded, _ = await call(browser, f"{codec.url}/decode", {"payloads": [PLAIN]})
        assert (status, decoded) == (200, {"payloads": [PLAIN]})


async def test_bad_bodies_and_unknown_keys_are_named_not_tracebacks(
    codec: CodecServer, http: aiohttp.ClientSession
) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    async with http.post(f"{codec.url}/decode", data=b"{", headers=auth) as resp:
        assert resp.status == 400 and (await resp.json())["error"] == "body: not JSON"
    status, body, _ = await call(http, f"{codec.url}/decode", {"payload": []}, **auth)
    assert status == 400 and "payloads" in body["error"]
    foreign = {
        "metadata": {"encoding": b64(b"binary/encrypted"), "encryption-key-id": b64(b"k-gone")},
        "data": b64(b"\x00" * 40),
    }
    status, body, _ = await call(http, f"{codec.url}/decode", {"payloads": [foreign]}, **auth)
    assert status == 422 and "k-gone" in body["error"]
