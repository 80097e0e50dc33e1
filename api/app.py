"""The app factory: ``create_app(ctx, extra_routers=...)``; other interfaces (FHIR, HL7 over
HTTP) mount their routers beside ``/v1`` and authenticate with ``api.auth.source_of``."""

from __future__ import annotations

from collections.abc import Iterable

from fastapi import APIRouter, FastAPI

from api import openapi as openapi_doc
from api import ops, problems, routes
from api.context import ApiContext

DESCRIPTION = """Upstream events into the CCM engine. Authenticate with a bearer token per
source system (`ccm api tokens create --source ehr`); the token decides `meta.source`."""


def create_app(ctx: ApiContext, extra_routers: Iterable[APIRouter] = ()) -> FastAPI:
    """The API on already opened services (``ctx``); the caller owns and closes them."""
    app = FastAPI(title="ccm-engine", version="1", description=DESCRIPTION)
    app.state.ccm = ctx
    for router in (routes.router, ops.router, *extra_routers):
        app.include_router(router)
    problems.install(app)
    openapi_doc.install(app)
    ops.record_requests(app, ctx)
    return app
