"""Records as JSON on the wire, and back, checked against the model's own columns.

Both ends use the same models, so a record is its columns: UUIDs and times as ISO text.
Reading one back refuses unknown fields, wrong types and over-long text with a one-line reason
(the server quarantines that item, never the batch).
"""

from __future__ import annotations

import uuid
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


def row_to_wire(row: dict[str, Any]) -> dict[str, Any]:
    return {
        k: str(v) if isinstance(v, uuid.UUID) else v.isoformat() if isinstance(v, date) else v
        for k, v in row.items()
    }


def from_wire(model: type[DeclarativeBase], data: Any) -> dict[str, Any]:
    """Column values for `model` from a wire record, or RecordError."""
    if not isinstance(data, dict):
        raise RecordError("record is not an object")
    cols = {c.key: c for c in model.__table__.columns}
    unknown = set(data) - set(cols)
    if unknown:
        raise RecordError(f"unknown fields: {', '.join(sorted(unknown))}")
    out: dict[str, Any] = {}
    for key, col in cols.items():
        value = data.get(key)
        if value is None:
            if not col.nullable and not col.primary_key and col.default is None:
                raise RecordError(f"{key} is missing")
            if col.primary_key:
                raise RecordError(f"{key} is missing")
            if key in data or col.default is None:
                out[key] = None
            continue
        out[key] = _convert(key, col.type, value)
    return out


def _convert(key: str, kind: Any, value: Any) -> Any:
    try:
        if isinstance(kind, Uuid):
            return uuid.UUID(value)
        if isinstance(kind, UTCDateTime):
            when = datetime.fromisoformat(value)
            if when.tzinfo is None:
                raise ValueError("no time zone")
            return when.astimezone(UTC)
        if isinstance(kind, Date):
            return date.fromisoformat(value)
        if isinstance(kind, Boolean):
            if not isinstance(value, bool):
                raise ValueError("not true/false")
            return value
        if isinstance(kind, Integer):
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError("not a whole number")
            if not -(2**31) <= value < 2**31:
                raise ValueError("out of range")
            return value
        if isinstance(kind, String):
            if not isinstance(value, str):
                raise ValueError("not text")
            if kind.length is not None and len(value) > kind.length:
                raise ValueError(f"longer than {kind.length} characters")
            return value
    except (TypeError, ValueError, AttributeError) as e:
        raise RecordError(f"{key}: {e}") from None
    return value
