"""Template filters for the workspace pages: role checks, questionnaire states, audit changes
and how an instrument item is answered."""

from __future__ import annotations

from typing import Any

from django import template

from imheval.instruments import Instrument, KeyedItem
from imheval.web.organisations.access import Access
from imheval.web.workspace.models import Collection

register = template.Library()

#: Longest value the audit log page shows in full.
MAX_VALUE_CHARS = 80


@register.filter
def may(access: Access | None, action: str) -> bool:
    """Whether the member may take ``action``: ``{% if access|may:"edit_programmes" %}``."""
    return access is not None and access.may(action)


@register.filter
def state(collection: Collection) -> str:
    """ "Open", "Closed" or "Not opened yet"."""
    if collection.is_open:
        return "Open"
    return "Closed" if collection.closed_at else "Not opened yet"


@register.filter
def state_colour(collection: Collection) -> str:
    """The NHS.UK tag colour for :func:`state`."""
    if collection.is_open:
        return "green"
    return "grey" if collection.closed_at else "white"


def _shown(value: Any) -> str:
    if isinstance(value, list):
        value = ", ".join(str(part) for part in value)
    text = "(blank)" if value in (None, "") else str(value)
    return text if len(text) <= MAX_VALUE_CHARS else text[: MAX_VALUE_CHARS - 1] + "…"


@register.filter
def audit_changes(changes: Any) -> list[str]:
    """One line per changed field: "name: old → new", "name: new", or just "name"."""
    if not isinstance(changes, dict):
        return []
    lines = []
    for field, change in changes.items():
        if isinstance(change, list) and len(change) == 2:
            old, new = change
            shown = _shown(new) if old is None else f"{_shown(old)} → {_shown(new)}"
            lines.append(f"{field}: {shown}")
        else:
            lines.append(str(field))  # values withheld (responses)
    return lines


@register.filter
def item_answer(item: Any, instrument: Instrument) -> str:
    """How an item is answered, e.g. "Choice of 4 (1 correct)" or "Rating 1 to 5, reversed"."""
    if isinstance(item, KeyedItem):
        return f"Choice of {len(item.options)} ({len(item.key)} correct)"
    scale = instrument.scales[item.scale]
    return f"Rating {scale.min} to {scale.max}" + (", reverse scored" if item.reverse else "")
