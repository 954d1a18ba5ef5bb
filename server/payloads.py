"""Bounds on a pushed payload's shape, and stored payloads read back without surprises.

A payload nested a few hundred levels deep is a few hundred bytes, passes every type
check, and then breaks whoever serialises it again (the facts listing answered 500 for
everyone). So depth and size are bounded when the fact is pushed, with a `rejected`
reason, and every reader goes through `stored_payload`, which answers a placeholder for
anything stored before the bounds existed instead of failing.

Depth is measured without recursion: the check itself must not be the thing that breaks.
"""

from __future__ import annotations

import json
from typing import Any

from wire.protocol import canonical_json


def nesting_depth(value: Any, limit: int) -> int:
    """How deep `value` nests (a scalar is 0), counting no further than `limit` + 1."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        depth += 1
        deepest = max(deepest, depth)
        if deepest > limit:
            return deepest
        stack.extend((child, depth) for child in children)
    return deepest


def payload_problem(payload: Any, *, max_depth: int, max_bytes: int) -> str | None:
    """Why this payload is refused (too deep, too large), or None. Depth comes first:
    measuring the size serialises, which a very deep value would not survive."""
    depth = nesting_depth(payload, max_depth)
    if depth > max_depth:
        return f"payload is nested more than {max_depth} levels deep; at most {max_depth} allowed"
    try:
        size = len(canonical_json(payload))
    except ValueError:
        return "payload contains a number that is not finite (NaN or Infinity)"
    if size > max_bytes:
        return f"payload is {size} bytes; at most {max_bytes} bytes allowed"
    return None


# Stored payloads deeper than this are shown as a placeholder (the push bound is lower).
READ_DEPTH_LIMIT = 64


def _load(text: str) -> tuple[Any, str | None]:
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return None, "the stored payload is not valid JSON; kept in the database"
    # Each level of nesting opens a bracket: a text with no more brackets than the limit
    # cannot nest deeper, and counting them is far cheaper than walking the value (the
    # exports read every stored payload).
    if text.count("{") + text.count("[") <= READ_DEPTH_LIMIT:
        return value, None
    if nesting_depth(value, READ_DEPTH_LIMIT) > READ_DEPTH_LIMIT:
        return None, (
            f"the stored payload nests deeper than {READ_DEPTH_LIMIT} levels; kept in the database"
        )
    return value, None


def stored_payload(text: str | None) -> Any:
    """A stored payload as JSON to show, or a placeholder saying why it cannot be."""
    if text is None:
        return None
    value, problem = _load(text)
    return {"unreadable": problem} if problem else value


def stored_object(text: str | None) -> dict[str, Any]:
    """A stored payload that readers pick fields from: an object, else empty."""
    if text is None:
        return {}
    value, problem = _load(text)
    return value if problem is None and isinstance(value, dict) else {}


def text_or_none(value: object) -> str | None:
    """A field shown as text: strings as they are, anything else is not shown."""
    return value if isinstance(value, str) else None


def number_or_none(value: object) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None
