"""The FHIR R4 interface mounted on the API: ``POST /fhir/r4/Bundle`` (``fhir_in.routes``),
authenticated by the same bearer tokens as ``/v1`` (the token decides every event's source) and
naming patients by a linked MRN through the app role's identifier table."""

from __future__ import annotations

from functools import partial

from fastapi import APIRouter

from api.auth import source_of
from api.context import ApiContext
from fhir_in.delivery import client_send
from fhir_in.routes import build_router
from upstream import identifiers
from upstream.client import CcmClient


def fhir_router(ctx: ApiContext) -> APIRouter:
    """The FHIR router on ``ctx``'s Temporal client and pool."""
    client = CcmClient(ctx.temporal, ctx.task_queue, ctx.timezone)
    resolve = partial(identifiers.resolve, ctx.pool)
    return build_router(client_send(client), source_of, resolve=resolve)
