"""Bearer-token authentication: the token names the source system a request writes as.

``source_of`` is the dependency every ingesting route takes (``Depends(source_of)``), this
package's and any router mounted beside it (FHIR, HL7 over HTTP): 401 without a valid token.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api import tokens
from api.context import context_of
from api.problems import ApiError

# auto_error off: a missing or malformed header is answered by ``unauthenticated`` below, in the
# API's one error shape; the scheme still appears in the OpenAPI document.
BEARER = HTTPBearer(auto_error=False, description="a token from `ccm api tokens create`")
CHALLENGE = {"WWW-Authenticate": 'Bearer realm="ccm"'}


def unauthenticated(detail: str) -> ApiError:
    return ApiError(401, "unauthenticated", detail, headers=CHALLENGE)


Credentials = Annotated[HTTPAuthorizationCredentials | None, Security(BEARER)]


async def source_of(request: Request, credentials: Credentials) -> str:
    """The source system the request's token belongs to; 401 for no, unknown or revoked token."""
    if credentials is None:
        raise unauthenticated("send the header `Authorization: Bearer <token>`")
    holder = await tokens.holder(context_of(request).pool, credentials.credentials)
    if holder is None:
        raise unauthenticated("the token is not known: ask for one (`ccm api tokens create`)")
    if holder.revoked:
        raise unauthenticated(f"token {holder.id} was revoked: ask for a new one")
    request.state.source = holder.source
    return holder.source
