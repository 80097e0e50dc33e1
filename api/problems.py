"""Error answers: one JSON shape (``api.models.Problem``) for every status, never a traceback,
never an input value (FastAPI's own validation answer echoes input: replaced here)."""

from __future__ import annotations

from collections.abc import Mapping

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from temporalio.client import WorkflowUpdateRPCTimeoutOrCancelledError
from temporalio.service import RPCError, RPCStatusCode

from api.models import Problem, Refusal
from cli.outage import OUTAGES, describe

log = structlog.get_logger(__name__)
UNAVAILABLE_RETRY_S = 5
SERVICE_DOWN = (*OUTAGES, WorkflowUpdateRPCTimeoutOrCancelledError)
# temporalio raises a plain RuntimeError when its (lazy) connection to the server fails.
NOT_CONNECTED = "Failed client connect"


def is_outage(exc: BaseException) -> bool:
    """A service the API needs is down or saturated: the request can be sent again."""
    if isinstance(exc, SERVICE_DOWN):
        return True
    return isinstance(exc, RuntimeError) and str(exc).startswith(NOT_CONNECTED)


class ApiError(Exception):
    """An answer other than success: the status, a stable code and what to do."""

    def __init__(
        self, status: int, error: str, detail: str, *, headers: dict[str, str] | None = None,
        problem: Problem | None = None,
    ) -> None:  # fmt: skip
        super().__init__(detail)
        self.status = status
        self.problem = problem or Problem(error=error, detail=detail)
        self.headers = headers


def answer(status: int, problem: Problem, headers: Mapping[str, str] | None = None) -> JSONResponse:
    body = problem.model_dump(mode="json", exclude_defaults=True)
    return JSONResponse(body, status_code=status, headers=headers)


def busy(retry_after_s: int, why: str) -> ApiError:
    detail = f"{why}: send the same request again after {retry_after_s} s (nothing doubles)"
    return ApiError(429, "busy", detail, headers={"Retry-After": str(retry_after_s)})


def outage(exc: BaseException, retry_after_s: int = 1) -> ApiError:
    """429 when Temporal says it is saturated, else 503 (cli/outage.py's words for the outage)."""
    if isinstance(exc, RPCError) and exc.status == RPCStatusCode.RESOURCE_EXHAUSTED:
        return busy(retry_after_s, "Temporal is saturated (RESOURCE_EXHAUSTED)")
    if isinstance(exc, WorkflowUpdateRPCTimeoutOrCancelledError):
        what = "Temporal did not answer in time"
    elif isinstance(exc, RuntimeError):
        what = "Temporal is unreachable"
    else:
        what = describe(exc).removesuffix(": is it running? then run this again")
        what = what.removesuffix(": then run this again")
    detail = f"{what}: send the same request again later (nothing doubles)"
    retry = {"Retry-After": str(UNAVAILABLE_RETRY_S)}
    return ApiError(503, "unavailable", detail, headers=retry)


def install(app: FastAPI) -> None:
    """Every error the app can meet answered in the one shape."""

    async def api_error(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ApiError)
        return answer(exc.status, exc.problem, exc.headers)

    async def service_down(_: Request, exc: Exception) -> JSONResponse:
        if not is_outage(exc):  # a RuntimeError that is a bug: 500, the traceback to the log
            log.error("api_internal_error", exc_info=exc)
            return answer(500, Problem(error="internal", detail="an internal error: see the log"))
        error = outage(exc)
        return answer(error.status, error.problem, error.headers)

    async def http_error(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, HTTPException)
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return answer(exc.status_code, Problem(error=code, detail=str(exc.detail)), exc.headers)

    async def invalid(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        refused = [
            Refusal(field=".".join(str(p) for p in e["loc"]), reason=e["msg"]) for e in exc.errors()
        ]
        problem = Problem(error="invalid", detail="the request is not valid", refused=refused)
        return answer(422, problem)

    app.add_exception_handler(ApiError, api_error)
    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(RequestValidationError, invalid)
    for kind in (*SERVICE_DOWN, RuntimeError):
        app.add_exception_handler(kind, service_down)
