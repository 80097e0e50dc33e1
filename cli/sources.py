"""``--source NAME``: the ``meta.source`` a command records its events under."""

from __future__ import annotations

import argparse

from pydantic import ValidationError

from events.base import ENGINE_SOURCE, EventMeta


def source_name(text: str) -> str:
    """An argparse type: a valid ``meta.source`` that is not the engine's own."""
    try:
        EventMeta(source=text)
    except ValidationError:
        raise argparse.ArgumentTypeError(
            "must be lowercase letters, digits, _ and - (up to 64)"
        ) from None
    if text == ENGINE_SOURCE:
        raise argparse.ArgumentTypeError(f"{ENGINE_SOURCE!r} is the engine's own source")
    return text
