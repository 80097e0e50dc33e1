"""Temporal's environment configuration becomes ``Client.connect`` keyword arguments."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from temporalio.service import TLSConfig

from runtime.settings import Settings
from runtime.temporal_config import TemporalConfigError, connect_kwargs

CLUSTER = Settings(temporal_address="ccm.tmprl.example:7233")
PROFILE = """
[profile.prod]
address = "ignored.example:7233"
api_key = "key-from-file"
[profile.prod.tls]
server_name = "prod.example"
[profile.prod.grpc_meta]
x-team = "care"
"""


@pytest.fixture
def pem(tmp_path: Path) -> dict[str, Path]:
    """Files with distinct contents (the SDK checks the PEM only when it connects)."""
    files = {name: tmp_path / f"{name}.pem" for name in ("ca", "cert", "key")}
    for name, path in files.items():
        path.write_bytes(f"-- {name} --".encode())
    return files


def test_the_dev_server_gets_plain_loopback_whatever_the_environment() -> None:
    env = {"TEMPORAL_API_KEY": "k", "TEMPORAL_TLS": "true"}
    assert connect_kwargs(Settings(), env) == {}


def test_nothing_configured_is_plaintext_as_before() -> None:
    assert connect_kwargs(CLUSTER, {"TEMPORAL_CONFIG_FILE": ""}) == {}


def test_an_api_key_turns_tls_on_unless_tls_is_turned_off() -> None:
    assert connect_kwargs(CLUSTER, {"TEMPORAL_API_KEY": "k"}) == {"api_key": "k", "tls": True}
    off = connect_kwargs(CLUSTER, {"TEMPORAL_API_KEY": "k", "TEMPORAL_TLS": "false"})
    assert off == {"api_key": "k", "tls": False}


def test_a_private_ca_and_server_name(pem: dict[str, Path]) -> None:
    env = {
        "TEMPORAL_TLS_SERVER_CA_CERT_PATH": str(pem["ca"]),
        "TEMPORAL_TLS_SERVER_NAME": "temporal.internal",
    }
    assert connect_kwargs(CLUSTER, env) == {
        "tls": TLSConfig(domain="temporal.internal", server_root_ca_cert=b"-- ca --")
    }


def test_mutual_tls_from_paths_or_inline_data(pem: dict[str, Path]) -> None:
    paths = {
        "TEMPORAL_TLS_CLIENT_CERT_PATH": str(pem["cert"]),
        "TEMPORAL_TLS_CLIENT_KEY_PATH": str(pem["key"]),
    }
    inline = {
        "TEMPORAL_TLS_CLIENT_CERT_DATA": "-- cert --",
        "TEMPORAL_TLS_CLIENT_KEY_DATA": "-- key --",
    }
    for env in (paths, inline):
        tls = connect_kwargs(CLUSTER, env)["tls"]
        assert isinstance(tls, TLSConfig)
        assert (tls.client_cert, tls.client_private_key) == (b"-- cert --", b"-- key --")


@pytest.mark.parametrize(
    "env, named",
    [
        ({"TEMPORAL_TLS_CLIENT_CERT_PATH": "/c.pem"}, "TEMPORAL_TLS_CLIENT_KEY_PATH"),
        ({"TEMPORAL_TLS_CLIENT_KEY_DATA": "k"}, "TEMPORAL_TLS_CLIENT_CERT_DATA"),
        ({"TEMPORAL_TLS_SERVER_CA_CERT_PATH": "/nowhere/ca.pem"}, "/nowhere/ca.pem"),
        ({"TEMPORAL_TLS": "yes"}, "TEMPORAL_TLS must be true or false (got 'yes')"),
        ({"TEMPORAL_CONFIG_FILE": "/nowhere/temporal.toml"}, "TEMPORAL_CONFIG_FILE"),
    ],
)
def test_a_half_or_unreadable_setting_is_refused_by_name(env: dict[str, str], named: str) -> None:
    with pytest.raises(TemporalConfigError, match=re.escape(named)):
        connect_kwargs(CLUSTER, env)


def test_a_profile_file_with_the_environment_overriding_it(tmp_path: Path) -> None:
    config = tmp_path / "temporal.toml"
    config.write_text(PROFILE)
    env = {"TEMPORAL_CONFIG_FILE": str(config), "TEMPORAL_PROFILE": "prod"}
    assert connect_kwargs(CLUSTER, env) == {
        "api_key": "key-from-file",
        "tls": TLSConfig(domain="prod.example"),
        "rpc_metadata": {"x-team": "care"},
    }
    env |= {"TEMPORAL_API_KEY": "key-from-env", "TEMPORAL_GRPC_META_X_TEAM": "billing"}
    kwargs = connect_kwargs(CLUSTER, env)
    assert (kwargs["api_key"], kwargs["rpc_metadata"]) == ("key-from-env", {"x-team": "billing"})


def test_an_unknown_profile_is_refused_by_name(tmp_path: Path) -> None:
    config = tmp_path / "temporal.toml"
    config.write_text(PROFILE)
    env = {"TEMPORAL_CONFIG_FILE": str(config), "TEMPORAL_PROFILE": "staging"}
    with pytest.raises(TemporalConfigError, match="staging"):
        connect_kwargs(CLUSTER, env)
