"""Template helpers for the to-do list and the cohort lists' badges (see workspace.attention)."""

from __future__ import annotations

from django import template

from imheval.web.organisations.models import PERMISSIONS, Role

register = template.Library()


@register.filter
def cohort_badges(badges: dict[int, list[str]] | None, cohort_id: int) -> list[str]:
    """The badges of one cohort: ``{% for badge in badges|cohort_badges:cohort.pk %}``."""
    return (badges or {}).get(cohort_id, [])


@register.filter
def who_may(action: str) -> str:
    """The roles that may take ``action``, in words for a sentence's start: "An admin or
    evaluator", "An admin, evaluator or trainer" (``{{ "review_matches"|who_may }}``)."""
    names = [str(label).lower() for value, label in Role.choices if value in PERMISSIONS[action]]
    listed = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"
    return f"{'An' if listed[0] in 'aeiou' else 'A'} {listed}"
