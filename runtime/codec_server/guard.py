"""Who may call the codec: CORS for the UI's origin only, and the access token on every call.

The token is accepted as ``Authorization: Bearer <token>`` (the ``temporal`` CLI's
``--codec-auth``, scripts) or as the cookie ``/login`` sets (the Web UI sends cookies when its
codec setting "Include cross-origin credentials" is on; it has no way to send a static bearer
token: its "Pass the user access token" sends the UI's own OIDC login token, over HTTPS only).
Preflight requests carry no credentials, so they are answered for allowed origins without one.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import hdrs, web

from runtime.crypto.tokens import same_token

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
COOKIE = "ccm_codec_token"
CODEC_PATHS = frozenset({"/encode", "/decode"})
ALLOW_HEADERS = "Authorization, Authorization-Extras, Content-Type, X-Namespace"
TOKEN_KEY: web.AppKey[str] = web.AppKey("token", str)
ORIGINS_KEY: web.AppKey[frozenset[str]] = web.AppKey("origins", frozenset)


def error(status: int, message: str) -> web.Response:
    """A JSON error body; messages name the header or field, never a payload or a token."""
    return web.json_response({"error": message}, status=status)


@web.middleware
async def cors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Answers preflights and adds CORS headers for allowed origins; refuses other origins."""
    if request.path not in CODEC_PATHS:
        return await handler(request)
    origin = request.headers.get(hdrs.ORIGIN)
    allowed = origin is not None and origin in request.app[ORIGINS_KEY]
    if origin is not None and not allowed:
        return error(403, f"origin {origin} is not allowed (ccm codec-server --origin)")
    if request.method == hdrs.METH_OPTIONS:
        response: web.StreamResponse = web.Response(status=204)
    else:
        try:
            response = await handler(request)
        except web.HTTPException as exc:
            response = exc
    if allowed and origin is not None:
        response.headers[hdrs.ACCESS_CONTROL_ALLOW_ORIGIN] = origin
        response.headers[hdrs.ACCESS_CONTROL_ALLOW_CREDENTIALS] = "true"
        response.headers[hdrs.ACCESS_CONTROL_ALLOW_METHODS] = "POST, OPTIONS"
        response.headers[hdrs.ACCESS_CONTROL_ALLOW_HEADERS] = ALLOW_HEADERS
        response.headers[hdrs.ACCESS_CONTROL_MAX_AGE] = "600"
        response.headers[hdrs.VARY] = "Origin"
    return response


@web.middleware
async def require_token(request: web.Request, handler: Handler) -> web.StreamResponse:
    """401 for a codec call without the token (preflights excepted, see the module doc)."""
    if request.path not in CODEC_PATHS or request.method == hdrs.METH_OPTIONS:
        return await handler(request)
    expected = request.app[TOKEN_KEY]
    scheme, _, bearer = request.headers.get(hdrs.AUTHORIZATION, "").partition(" ")
    presented = bearer.strip() if scheme.lower() == "bearer" else None
    if not (same_token(presented, expected) or same_token(request.cookies.get(COOKIE), expected)):
        response = error(401, "missing or invalid access token (Authorization: Bearer, or /login)")
        response.headers[hdrs.WWW_AUTHENTICATE] = 'Bearer realm="ccm-codec"'
        return response
    return await handler(request)
