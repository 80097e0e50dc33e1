"""Reading stored events without re-running the edge's checks: the hot read path's validators.

Every stored event was validated in full when it was appended (the upstream contract is strict,
``events.fields`` bounds every value) and its text is covered by the content digest that
``events.verify`` checks. Reading it back needs its *shape* checked (a row written by some other
hand must still fail, naming the field), not the edge's business rules run again in Python. So a
stored event of the current schema version is validated with its model's own core schema minus
the after-validators, which are Python functions (text free of control characters, plausible
years, a time entry's minutes-or-interval, a sender not posing as the engine, ICD-10
normalisation): pydantic-core then builds the very same model instances without calling into
Python, in about 60% of the time (bench/side_by_side.py). The syntax checks of moments and days
(ISO 8601 text only, never a Unix time in a string) are Python before-validators at the edge;
here they are the same patterns run by pydantic-core, then its own parse: JSON text only, and
about 40% faster (bench/decode_floor.py).

Safe because each stripped validator is a check, or a normalisation whose output it accepts
unchanged, and the stored JSON is the dump of the already validated model: the result equals
full validation (tests/unit/test_trusted_decode.py). Types, required fields, ``extra="forbid"``,
literals, enums, patterns, lengths, bounds, strictness and nested models all stay checked.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from pydantic_core import SchemaValidator

from events.fields import CORE_PATTERNS


def _strip(node: Any) -> Any:
    """A copy of a core schema with every ``function-after`` node replaced by what it wraps, and
    every ``function-before`` that ``CORE_PATTERNS`` knows by its pattern and a lax parse."""
    if isinstance(node, dict):
        if node.get("type") == "function-after":
            return _strip(node["schema"])
        if node.get("type") == "function-before" and node["function"]["function"] in CORE_PATTERNS:
            syntax = {"type": "str", "pattern": CORE_PATTERNS[node["function"]["function"]]}
            return {"type": "chain", "steps": [syntax, {**_strip(node["schema"]), "strict": False}]}
        return {key: _strip(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_strip(item) for item in node]
    return node


def _models_in(node: Any, found: set[type]) -> set[type]:
    if isinstance(node, dict):
        if node.get("type") == "model" and isinstance(node.get("cls"), type):
            found.add(node["cls"])
        for value in node.values():
            _models_in(value, found)
    elif isinstance(node, list):
        for item in node:
            _models_in(item, found)
    return found


def _build(schema: Any) -> SchemaValidator:
    """A validator built from ``schema`` itself, node by node.

    pydantic-core reuses a complete model class's own (full) validator for every ``model`` node
    naming it (its "prebuilt" shortcut, taken while a validator is built), which would put the
    stripped checks back. The classes are marked incomplete for the build only: it is
    synchronous, so no other code runs meanwhile, and validation never reads the flag.
    """
    classes = [c for c in _models_in(schema, set()) if c.__dict__.get("__pydantic_complete__")]
    for cls in classes:
        type.__setattr__(cls, "__pydantic_complete__", False)
    try:
        return SchemaValidator(schema)
    finally:
        for cls in classes:
            type.__setattr__(cls, "__pydantic_complete__", True)


_validators: dict[type[BaseModel], SchemaValidator] = {}


def stored_validator(model: type[BaseModel]) -> SchemaValidator:
    """The validator for stored events of ``model`` (built once per model, on first use)."""
    validator = _validators.get(model)
    if validator is None:
        validator = _build(_strip(model.__pydantic_core_schema__))
        _validators[model] = validator
    return validator


def decode_stored(model: type[BaseModel], text: str) -> Any:
    """``model`` from a stored row's JSON text; raises ``ValidationError`` naming the field when
    the row is not such an event."""
    return stored_validator(model).validate_json(text)
