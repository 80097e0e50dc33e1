"""A client configured the Temporal way reaches a cluster behind TLS, and nothing else does.

The dev server cannot serve TLS itself, so it sits behind a real TLS listener
(tests/tls_fixtures.py: HTTP/2 by ALPN, client certificates required). The client side is the
SDK's own TLS stack, configured only through ``connect_kwargs`` from ``TEMPORAL_*`` variables.
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from pydantic import SecretStr
from temporalio.api.workflowservice.v1 import GetSystemInfoRequest
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from runtime.errors import ServiceUnavailable
from runtime.settings import Settings
from runtime.stack import open_client
from runtime.temporal_config import connect_kwargs
from tests.tls_fixtures import SERVER_NAME, Front, Pki, relay, tls_front

pytestmark = pytest.mark.integration
# Bounds a hung connection attempt only; no result depends on time.
CONNECT_LIMIT_S = 60


@pytest.fixture
def pki(tmp_path: Path) -> Pki:
    return Pki(tmp_path)


@pytest.fixture
async def front(dev_env: WorkflowEnvironment, pki: Pki) -> AsyncIterator[Front]:
    target = dev_env.client.service_client.config.target_host
    async with tls_front(target, pki) as running:
        yield running


def trusted(pki: Pki, **extra: str) -> dict[str, str]:
    """The variables of a worker that trusts the cluster's CA and presents its certificate."""
    return {
        "TEMPORAL_TLS_SERVER_CA_CERT_PATH": pki.path("ca.pem"),
        "TEMPORAL_TLS_SERVER_NAME": SERVER_NAME,
        "TEMPORAL_TLS_CLIENT_CERT_PATH": pki.path("client.pem"),
        "TEMPORAL_TLS_CLIENT_KEY_PATH": pki.path("client.key"),
        **extra,
    }


async def connect(front: Front, env: dict[str, str]) -> Client:
    settings = Settings(temporal_address=front.address)
    kwargs = connect_kwargs(settings, env)
    client = await asyncio.wait_for(Client.connect(front.address, **kwargs), CONNECT_LIMIT_S)
    await client.workflow_service.get_system_info(GetSystemInfoRequest())
    return client


async def test_mutual_tls_with_the_cluster_ca_and_a_client_certificate(
    front: Front, pki: Pki
) -> None:
    client = await connect(front, trusted(pki))
    assert await client.count_workflows() is not None


async def test_an_api_key_reaches_the_cluster_and_never_crosses_the_wire_in_clear(
    front: Front, pki: Pki
) -> None:
    key = "ccm-test-api-key-0123456789"
    async with relay(front.address) as wire:  # sees the bytes between client and TLS listener
        await connect(wire, trusted(pki, TEMPORAL_API_KEY=key))
    assert ("authorization", f"Bearer {key}") in front.request_headers()
    ciphertext = b"".join(wire.received)
    assert ciphertext and key.encode() not in ciphertext and b"Bearer" not in ciphertext


@pytest.mark.parametrize(
    "drop, add",
    [
        (["TEMPORAL_TLS_CLIENT_CERT_PATH", "TEMPORAL_TLS_CLIENT_KEY_PATH"], {}),
        (["TEMPORAL_TLS_SERVER_CA_CERT_PATH"], {}),
        ([], {"TEMPORAL_TLS_SERVER_NAME": "elsewhere.test"}),
        ([], {"TEMPORAL_TLS": "false"}),
    ],
    ids=["no client certificate", "unknown CA", "wrong server name", "plaintext"],
)
async def test_without_what_the_cluster_requires_the_connection_is_refused(
    front: Front, pki: Pki, drop: list[str], add: dict[str, str]
) -> None:
    env = {k: v for k, v in trusted(pki, **add).items() if k not in drop}
    with pytest.raises(RuntimeError):
        await connect(front, env)


async def test_the_engine_s_clients_take_the_cluster_s_tls_from_the_environment(
    front: Front, pki: Pki, dev_env: WorkflowEnvironment, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings(
        temporal_address=front.address,
        temporal_namespace=dev_env.client.namespace,
        codec_keys=SecretStr("k1=" + base64.b64encode(bytes(32)).decode()),
    )
    with pytest.raises(ServiceUnavailable, match="cannot reach Temporal"):
        async with open_client(settings):
            pass  # plaintext: the TLS listener refuses it
    for name, value in trusted(pki).items():
        monkeypatch.setenv(name, value)
    async with open_client(settings) as client:
        await client.workflow_service.get_system_info(GetSystemInfoRequest())
