"""Records as JSON on the wire, and back, checked against the model's own columns.

Both ends use the same models, so a record is its columns: UUIDs and times as ISO text.
Reading one back refuses unknown fields, wrong types and over-long text with a one-line reason
(the server quarantines that item, never the batch).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, Integer, String, Uuid
from sqlalchemy.orm import DeclarativeBase

from kiosk.adapters.db.models import UTCDateTime


class RecordError(ValueError):
    """One record that cannot be stored as sent."""


def to_wire(obj: DeclarativeBase) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for col in obj.__table__.columns:
        value = getattr(obj, col.key)
        if isinstance(value, uuid.UUID):
            value = str(value)
        elif isinstance(value, datetime | date):
            value = value.isoformat()
        out[col.key] = value
    return out


def row_to_wire(row: Any) -> dict[str, Any]:
    """A table row (a mapping) as a wire record."""
    return {
        k: str(v) if isinstance(v, uuid.UUID) else v.isoformat() if isinstance(v, date) else v
        for k, v in row.items()
    }


def from_wire(model: type[DeclarativeBase], data: Any) -> dict[str, Any]:
    """Column values for `model` from a wire record, or RecordError."""
    if not isinstance(data, dict):
        raise RecordError("record is not an object")
    plan = _plan(model)
    if not data.keys() <= plan.keys():
        unknown = sorted(set(data) - set(plan))
        raise RecordError(f"unknown fields: {', '.join(unknown)}")
    out: dict[str, Any] = {}
    for key, (convert, required, has_default) in plan.items():
        value = data.get(key)
        if value is None:
            if required:
                raise RecordError(f"{key} is missing")
            if key in data or not has_default:
                out[key] = None
            continue
        try:
            out[key] = convert(value)
        except (TypeError, ValueError, AttributeError) as e:
            raise RecordError(f"{key}: {e}") from None
    return out


Plan = dict[str, tuple[Callable[[Any], Any], bool, bool]]
_PLANS: dict[type, Plan] = {}


def _plan(model: type[DeclarativeBase]) -> Plan:
    """Per column: its converter, whether it must be given, whether it has a default."""
    plan = _PLANS.get(model)
    if plan is None:
        plan = {
            c.key: (
                _converter(c.type),
                bool(c.primary_key or (not c.nullable and c.default is None)),
                c.default is not None,
            )
            for c in model.__table__.columns
        }
        _PLANS[model] = plan
    return plan


def _aware(value: Any) -> datetime:
    when = datetime.fromisoformat(value)
    if when.tzinfo is None:
        raise ValueError("no time zone")
    return when.astimezone(UTC)


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError("not true/false")
    return value


def _int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError("not a whole number")
    if not -(2**31) <= value < 2**31:
        raise ValueError("out of range")
    return value


def _text(limit: int | None) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        if not isinstance(value, str):
            raise ValueError("not text")
        if limit is not None and len(value) > limit:
            raise ValueError(f"longer than {limit} characters")
        return value

    return check


def _converter(kind: Any) -> Callable[[Any], Any]:
    if isinstance(kind, Uuid):
        return uuid.UUID
    if isinstance(kind, UTCDateTime):
        return _aware
    if isinstance(kind, Date):
        return date.fromisoformat
    if isinstance(kind, Boolean):
        return _bool
    if isinstance(kind, Integer):
        return _int
    if isinstance(kind, String):
        return _text(kind.length)
    return lambda v: v
