"""Reading stored events without re-running the edge's checks: the hot read path's decoder.

Every stored event was validated in full when it was appended (the upstream contract is strict,
``events.fields`` bounds every value) and its text is covered by the content digest that
``events.verify`` checks. Reading it back needs the *shape* checked (a row written by some other
hand must not pass as an event), not the edge's business rules again. So a stored event of the
current schema version is parsed with orjson and built field by field from a plan derived once
from its model's annotations: exactly the model's keys (as ``model_dump_json`` wrote them), each
scalar of its JSON type, datetimes, dates, decimals, enums and nested models converted, and the
instance set up as ``model_construct`` does. That is several times cheaper than pydantic's
validation, whose cost is mostly the text, year and minutes checks the edge already made.

Anything the plan does not expect (a missing or extra key, a wrong type, a bad datetime) falls
back to full validation, which either accepts it (the same model) or raises naming the field.
Models the plan cannot describe (before/wrap/plain validators, private attributes, other unions)
always use full validation. tests/unit/test_trusted_decode.py checks the result equals full
validation, value for value and byte for byte when dumped again.
"""

from __future__ import annotations

import enum
import types
import typing
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import orjson
from pydantic import AwareDatetime, BaseModel

Convert = Callable[[Any], Any]
_new = object.__new__
_set = object.__setattr__


class Unsupported(Exception):
    """An annotation or model feature the plan does not describe: use full validation."""


def _check(kind: type) -> Convert:
    def check(value: Any) -> Any:
        if type(value) is not kind:
            raise TypeError(kind.__name__)
        return value

    return check


def _aware(value: Any) -> datetime:
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError("naive datetime")
    return moment


def _one_of(allowed: frozenset[Any]) -> Convert:
    def check(value: Any) -> Any:
        if value not in allowed:
            raise ValueError("literal")
        return value

    return check


def _optional(convert: Convert) -> Convert:
    return lambda value: None if value is None else convert(value)


def _list(convert: Convert) -> Convert:
    def build(value: Any) -> Any:
        if type(value) is not list:
            raise TypeError("list")
        return [convert(item) for item in value]

    return build


SCALARS: dict[Any, Convert] = {
    str: _check(str), int: _check(int), bool: _check(bool), datetime: _aware,
    date: date.fromisoformat, Decimal: lambda v: Decimal(_check(str)(v)),
}  # fmt: skip


def _converter(annotation: Any) -> Convert:
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Annotated:
        return _converter(args[0])
    if origin is typing.Literal:
        return _one_of(frozenset(args))
    if origin in (typing.Union, types.UnionType):
        rest = [a for a in args if a is not type(None)]
        if len(rest) != 1 or len(args) != 2:
            raise Unsupported(str(annotation))
        return _optional(_converter(rest[0]))
    if origin is list:
        return _list(_converter(args[0]))
    if origin is dict and args[0] is str and args[1] in (int, str):
        return _check(dict)
    if annotation is AwareDatetime:
        return _aware
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return annotation
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return plan(annotation)
    if isinstance(annotation, type):
        for kind, convert in SCALARS.items():
            if issubclass(annotation, kind) and (kind is not int or annotation is int):
                return convert
    raise Unsupported(str(annotation))


def _refuse_transforms(model: type[BaseModel]) -> None:
    """Only after-validators (checks, or normalisations they accept again) may be skipped."""
    decorators = model.__pydantic_decorators__
    modes = [d.info.mode for d in decorators.field_validators.values()]
    modes += [d.info.mode for d in decorators.model_validators.values()]
    metadata = [m for f in model.model_fields.values() for m in f.metadata]
    if any(mode != "after" for mode in modes) or any(
        type(m).__name__ in ("BeforeValidator", "WrapValidator", "PlainValidator") for m in metadata
    ):
        raise Unsupported(f"{model.__name__} transforms its input")
    if model.__private_attributes__ or model.__pydantic_post_init__:
        raise Unsupported(f"{model.__name__} has private state")
    if model.model_config.get("extra") == "allow" or any(
        f.alias or f.validation_alias or f.exclude for f in model.model_fields.values()
    ):
        raise Unsupported(f"{model.__name__} stores other keys than its fields")


_plans: dict[type[BaseModel], Convert] = {}


def plan(model: type[BaseModel]) -> Convert:
    """dict (parsed JSON) -> ``model`` instance; raises on anything unexpected."""
    cached = _plans.get(model)
    if cached is not None:
        return cached
    _refuse_transforms(model)
    fields = [(name, _converter(f.annotation)) for name, f in model.model_fields.items()]
    names = frozenset(name for name, _ in fields)

    def build(data: Any) -> Any:
        if type(data) is not dict or data.keys() != names:
            raise ValueError("keys")
        values = {name: convert(data[name]) for name, convert in fields}
        instance = _new(model)
        _set(instance, "__dict__", values)
        _set(instance, "__pydantic_fields_set__", set(names))
        _set(instance, "__pydantic_extra__", None)
        _set(instance, "__pydantic_private__", None)
        return instance

    _plans[model] = build
    return build


_unsupported: set[type[BaseModel]] = set()


def decode_stored(model: type[BaseModel], text: str) -> Any:
    """``model`` from a stored row's JSON text: the fast plan, else full validation (which
    raises ``ValidationError`` naming the field when the row is not such an event)."""
    if model not in _unsupported:
        try:
            build = plan(model)
        except Unsupported:
            _unsupported.add(model)
        else:
            try:
                return build(orjson.loads(text))
            except Exception:  # anything unexpected: full validation judges it
                pass
    return model.model_validate_json(text)
