"""Template helpers for the to-do list and the cohort lists' badges (see workspace.attention)."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def cohort_badges(badges: dict[int, list[str]] | None, cohort_id: int) -> list[str]:
    """The badges of one cohort: ``{% for badge in badges|cohort_badges:cohort.pk %}``."""
    return (badges or {}).get(cohort_id, [])
