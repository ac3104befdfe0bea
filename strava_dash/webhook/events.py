"""Strava's webhook events, parsed without trusting them: a :class:`WebhookEvent` or a reason.

Events carry no signature and anyone can POST to a public URL, so every field is
checked for type and range before it can select a row (an id beyond int64 would
make PostgreSQL raise instead of matching nothing).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

ObjectType = Literal["activity", "athlete"]
AspectType = Literal["create", "update", "delete"]

# Lookups rather than membership tests: they hand back the value typed as its Literal.
OBJECT_TYPES: dict[str, ObjectType] = {"activity": "activity", "athlete": "athlete"}
ASPECT_TYPES: dict[str, AspectType] = {"create": "create", "update": "update", "delete": "delete"}
#: Largest id a BIGINT column holds.
MAX_ID = 2**63 - 1
#: Strava's ``updates`` are a handful of short fields (title, type, private, authorized).
MAX_UPDATES = 32
MAX_UPDATE_TEXT = 1024


@dataclass(frozen=True)
class WebhookEvent:
    """One push event. ``updates`` values are kept as strings: Strava sends
    ``"true"``/``"false"`` and titles as text."""

    object_type: ObjectType
    object_id: int
    aspect_type: AspectType
    owner_id: int
    subscription_id: int
    event_time: int
    updates: Mapping[str, str] = field(default_factory=dict)

    def flag(self, name: str) -> bool | None:
        """An ``updates`` flag as a bool: True/False for "true"/"false", else None."""
        value = self.updates.get(name)
        if value is None:
            return None
        lowered = value.strip().lower()
        return True if lowered == "true" else False if lowered == "false" else None


@dataclass(frozen=True)
class Malformed:
    """Why a body is not an event; safe to log (it quotes no values)."""

    reason: str


def _positive_id(body: Mapping[str, Any], key: str) -> int | str:
    value = body.get(key)
    # bool is an int subclass: `true` must not become athlete 1.
    if isinstance(value, bool) or not isinstance(value, int):
        return f"{key} must be a whole number, got {type(value).__name__}"
    if not 0 < value <= MAX_ID:
        return f"{key} is out of range"
    return value


def _updates(raw: Any) -> dict[str, str] | str:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        return f"updates must be an object, got {type(raw).__name__}"
    if len(raw) > MAX_UPDATES:
        return "updates has too many fields"
    picked: dict[str, str] = {}
    for key, value in raw.items():
        if isinstance(value, bool):
            text = "true" if value else "false"
        elif isinstance(value, str | int | float):
            text = str(value)
        else:
            return f"updates.{key[:40]} must be text, got {type(value).__name__}"
        picked[str(key)] = text[:MAX_UPDATE_TEXT]
    return picked


def parse_event(body: bytes | str | Any) -> WebhookEvent | Malformed:
    """The event in a POSTed body (raw bytes or already decoded JSON); never raises."""
    if isinstance(body, bytes | str):
        try:
            body = json.loads(body)
        except (ValueError, RecursionError):
            return Malformed("the body is not JSON")
    if not isinstance(body, dict):
        return Malformed(f"the body must be a JSON object, got {type(body).__name__}")
    raw_object, raw_aspect = body.get("object_type"), body.get("aspect_type")
    # A lookup hashes the value: a list would raise, so the type is checked first.
    object_type = OBJECT_TYPES.get(raw_object) if isinstance(raw_object, str) else None
    if object_type is None:
        return Malformed("object_type must be 'activity' or 'athlete'")
    aspect_type = ASPECT_TYPES.get(raw_aspect) if isinstance(raw_aspect, str) else None
    if aspect_type is None:
        return Malformed("aspect_type must be 'create', 'update' or 'delete'")
    numbers: dict[str, int] = {}
    for key in ("object_id", "owner_id", "subscription_id", "event_time"):
        value = _positive_id(body, key)
        if isinstance(value, str):
            return Malformed(value)
        numbers[key] = value
    updates = _updates(body.get("updates"))
    if isinstance(updates, str):
        return Malformed(updates)
    if object_type == "athlete" and numbers["object_id"] != numbers["owner_id"]:
        # Strava sends an athlete's own events with object_id == owner_id; anything else
        # would let one field name the athlete and another pass the checks.
        return Malformed("an athlete event must have object_id equal to owner_id")
    return WebhookEvent(
        object_type=object_type,
        object_id=numbers["object_id"],
        aspect_type=aspect_type,
        owner_id=numbers["owner_id"],
        subscription_id=numbers["subscription_id"],
        event_time=numbers["event_time"],
        updates=updates,
    )
