"""The OpenAPI document, with the upstream contract's own JSON schema as the events body.

The body of ``POST /v1/events`` is read and validated by ``api.intake`` (one refusal per event,
never FastAPI's whole-body answer, which echoes input values), so FastAPI cannot derive its
schema: it is taken from the same ``UpstreamEvent`` union ``ccm ingest`` validates with, and its
definitions become components. One definition of every event, wherever it is read.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import TypeAdapter

from events.upstream import UpstreamEvent

REF = "#/components/schemas/{model}"
EVENT_REF = {"$ref": REF.format(model="UpstreamEvent")}
EVENTS_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "one upstream event, or an array of them (any patients, sent in order)",
        "content": {
            "application/json": {
                "schema": {"oneOf": [EVENT_REF, {"type": "array", "items": EVENT_REF}]}
            }
        },
    }
}


def contract_schemas() -> dict[str, Any]:
    """``UpstreamEvent`` and every model it uses, as OpenAPI components."""
    schema = TypeAdapter(UpstreamEvent).json_schema(ref_template=REF)
    components: dict[str, Any] = schema.pop("$defs", {})
    components["UpstreamEvent"] = schema
    return components


def install(app: FastAPI) -> None:
    """Replaces ``app.openapi`` with one that adds the contract's components (built once)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(
                title=app.title, version=app.version, description=app.description,
                routes=app.routes,
            )  # fmt: skip
            schemas = document.setdefault("components", {}).setdefault("schemas", {})
            for name, schema in contract_schemas().items():
                schemas.setdefault(name, schema)
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
