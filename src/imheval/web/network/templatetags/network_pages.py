"""Template filters for the network group pages: which component a form field is (adding the
select and text area the workspace's field templates do not draw), and figures as people read
them (rounded only here, when shown)."""

from __future__ import annotations

from typing import Any

from django import forms, template

register = template.Library()


@register.filter
def network_kind(field: forms.BoundField) -> str:
    """ "select", "textarea", or "" for a field the workspace's templates draw."""
    widget = field.field.widget
    if isinstance(widget, forms.Select) and not isinstance(widget, forms.RadioSelect):
        return "select"
    if isinstance(widget, forms.Textarea):
        return "textarea"
    return ""


@register.filter
def percent(value: float | None) -> str:
    """A percentage to the nearest whole number ("83%"), or "none yet" when there is none."""
    if value is None:
        return "none yet"
    return f"{value:.0f}%"


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def select_groups(field: forms.BoundField) -> list[tuple[str, list[tuple[str, str, bool]]]]:
    """A select's options as (group label or "", [(value, text, selected)]), in order."""
    chosen = str(field.value() or "")
    result: list[tuple[str, list[tuple[str, str, bool]]]] = []
    for value, text in field.field.choices:
        if isinstance(text, list | tuple):
            options = [(str(v), str(t), str(v) == chosen) for v, t in text]
            result.append((str(value), options))
        else:
            result.append(("", [(str(value), str(text), str(value) == chosen)]))
    return result


@register.filter
def months(value: float | None) -> str:
    """Months to one decimal place, without a trailing .0 ("12", "12.5"), or "none"."""
    if value is None:
        return "none"
    return f"{value:.1f}".removesuffix(".0")
