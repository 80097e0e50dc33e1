"""``/login``: a browser presents the access token once and keeps it as an HttpOnly cookie.

The Web UI sends that cookie with its codec calls when "Include cross-origin credentials" is on.
``SameSite=Strict`` suffices and keeps other sites from using it: the dev UI and the codec server
are the same site (127.0.0.1, different ports); a production UI must share the codec server's
registrable domain. The cookie is ``Secure`` when the page was reached over HTTPS.
"""

from __future__ import annotations

from aiohttp import web

from runtime.codec_server import guard
from runtime.crypto.tokens import same_token

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>ccm codec server</title></head>
<body style="font-family: sans-serif; max-width: 40em; margin: 3em auto">
<h1>ccm codec server</h1>
<p>{message}</p>
<form method="post" action="/login">
<label>Access token <input name="token" type="password" autocomplete="off" size="48"></label>
<button type="submit">Sign this browser in</button>
</form>
<p>Then, in the Temporal UI: Codec Server settings, "Use my browser setting", this server's
address, and "Include cross-origin credentials" on.</p>
</body></html>
"""
HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
    "X-Frame-Options": "DENY",
}


def _page(message: str, status: int = 200) -> web.Response:
    return web.Response(
        text=PAGE.format(message=message), status=status, content_type="text/html", headers=HEADERS
    )


async def form(_request: web.Request) -> web.Response:
    return _page("Paste the access token (the data dir's <code>codec-token</code> file).")


async def sign_in(request: web.Request) -> web.Response:
    """Sets the cookie for a correct token; 401 and the form again otherwise."""
    posted = await request.post()
    token = posted.get("token")
    if not isinstance(token, str) or not same_token(token.strip(), request.app[guard.TOKEN_KEY]):
        return _page("That is not the access token.", status=401)
    response = _page("This browser is signed in: the Temporal UI can now decode payloads.")
    secure = request.secure or request.headers.get("X-Forwarded-Proto") == "https"
    response.set_cookie(
        guard.COOKIE, token.strip(), httponly=True, samesite="Strict", secure=secure, path="/"
    )
    return response
