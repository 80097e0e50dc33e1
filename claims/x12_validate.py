"""Validating an X12 file with pyx12 (``x12n_document``), as the tests do with every export.

pyx12 4.x runs on Python 3.11 as is and is called in-process: its validator takes the file (a
path or a text stream), writes a 999 acknowledgement when given a stream for it, and returns
whether the document is valid. Its findings reach us only through that 999 and its ``pyx12``
logger, so both are captured: a failure lists the 999's error segments (IK3/IK4/IK5 codes and
positions, no element values) and the logger's messages.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass

import pyx12.params
import pyx12.x12n_document


@dataclass(frozen=True)
class Validation:
    valid: bool
    ack_999: str
    problems: tuple[str, ...]


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def validate_x12(content: str, with_999: bool = True) -> Validation:
    """pyx12's verdict on ``content`` (an 837P, an 835, a 999...). ``with_999=False`` skips the
    acknowledgement: pyx12 4.0 cannot build a 999 for an 835 ("Cannot create AK2"; it logs a
    traceback and still returns its verdict), and nobody acknowledges a remittance anyway."""
    param = pyx12.params.params()
    ack = io.StringIO() if with_999 else None
    collect = _Collect()
    logger = logging.getLogger("pyx12")
    logger.addHandler(collect)
    try:
        valid = pyx12.x12n_document.x12n_document(param, io.StringIO(content), ack, None)
        text = ack.getvalue() if ack is not None else ""
    finally:
        logger.removeHandler(collect)
    # IK4's fourth element is the offending value (it may be a name): keep codes and places.
    errors = tuple(
        "*".join(s.split("*")[:4])
        for s in text.replace("\n", "").split("~")
        if s.startswith(("IK3", "IK4"))
    )
    return Validation(bool(valid), text, errors + tuple(collect.messages))
