"""TLS, API key and gRPC metadata for a Temporal cluster, from Temporal's environment configuration.

Read with the SDK's own loader (``temporalio.envconfig``), so the variables and the TOML profile
file mean what they mean to the ``temporal`` CLI and every other SDK: ``TEMPORAL_API_KEY``,
``TEMPORAL_TLS`` (true/false), ``TEMPORAL_TLS_SERVER_CA_CERT_PATH``, ``TEMPORAL_TLS_SERVER_NAME``,
``TEMPORAL_TLS_CLIENT_CERT_PATH`` + ``TEMPORAL_TLS_CLIENT_KEY_PATH`` (mTLS), the ``*_DATA``
forms of those, ``TEMPORAL_GRPC_META_<NAME>``, and a profile file (``TEMPORAL_CONFIG_FILE``,
default ``~/.config/temporalio/temporal.toml``; ``TEMPORAL_PROFILE``, default ``default``) whose
values the variables override. An API key turns TLS on unless ``TEMPORAL_TLS=false``.

Only a configured cluster (``TEMPORAL_ADDRESS``) gets them: the embedded dev server, and the one
a running ``ccm dev`` serves, listen on plain loopback. The address and namespace themselves are
``Settings.temporal_address`` / ``temporal_namespace`` (``TEMPORAL_ADDRESS`` / ``_NAMESPACE``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TypedDict

from temporalio.envconfig import ClientConfigProfile
from temporalio.service import TLSConfig

from runtime.errors import ServiceUnavailable
from runtime.settings import Settings

# What the SDK's loader reads as a boolean; anything else it would take as "TLS on".
BOOLEANS = {"true", "false", "1", "0"}
PAIRS = [
    ("TEMPORAL_TLS_CLIENT_CERT_PATH", "TEMPORAL_TLS_CLIENT_KEY_PATH"),
    ("TEMPORAL_TLS_CLIENT_CERT_DATA", "TEMPORAL_TLS_CLIENT_KEY_DATA"),
]


class TemporalConfigError(ServiceUnavailable):
    """The Temporal connection settings are unusable; the message names the variable or file."""


class ConnectKwargs(TypedDict, total=False):
    """Keyword arguments of ``temporalio.client.Client.connect`` for a secured cluster."""

    tls: bool | TLSConfig
    api_key: str
    rpc_metadata: Mapping[str, str | bytes]


def connect_kwargs(settings: Settings, env: Mapping[str, str] | None = None) -> ConnectKwargs:
    """What ``Client.connect`` needs beyond address and namespace; empty for the dev server.

    Raises ``TemporalConfigError`` naming the variable (or file) that is missing or unreadable.
    """
    if not settings.temporal_address:
        return {}
    # An empty variable is unset, as for every other setting (Settings.from_env).
    e = {k: v for k, v in (os.environ if env is None else env).items() if v}
    profile = load_profile(e)
    kwargs: ConnectKwargs = {}
    if profile.api_key:
        kwargs["api_key"] = profile.api_key
        kwargs["tls"] = True
    if profile.tls is not None:
        try:
            kwargs["tls"] = profile.tls.to_connect_tls_config()
        except OSError as exc:
            raise TemporalConfigError(
                f"Temporal TLS: cannot read {exc.filename} ({exc.strerror})"
            ) from None
    if profile.grpc_meta:
        kwargs["rpc_metadata"] = dict(profile.grpc_meta)
    return kwargs


def load_profile(env: Mapping[str, str]) -> ClientConfigProfile:
    """The selected profile with the environment's overrides, checked for what the SDK lets by."""
    config_file = env.get("TEMPORAL_CONFIG_FILE")
    if config_file and not Path(config_file).is_file():
        # The SDK would silently carry on without it, and connect without TLS.
        raise TemporalConfigError(f"TEMPORAL_CONFIG_FILE: no such file {config_file}")
    tls = env.get("TEMPORAL_TLS")
    if tls is not None and tls.lower() not in BOOLEANS:
        raise TemporalConfigError(f"TEMPORAL_TLS must be true or false (got {tls!r})")
    for cert, key in PAIRS:
        if bool(env.get(cert)) != bool(env.get(key)):
            raise TemporalConfigError(f"{cert} and {key} must be set together (mTLS)")
    try:
        return ClientConfigProfile.load(profile=env.get("TEMPORAL_PROFILE"), override_env_vars=env)
    except (RuntimeError, ValueError) as exc:
        raise TemporalConfigError(f"Temporal configuration: {exc}") from None
