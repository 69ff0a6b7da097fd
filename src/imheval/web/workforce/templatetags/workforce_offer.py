"""Template filters for programmes as offers and their places: what counts as completion in
words, and a financial year as people write it ("2026/27")."""

from __future__ import annotations

from django import template

from imheval.web.workforce.completion import FINAL_SESSION
from imheval.web.workspace.models import Programme

register = template.Library()


def sessions_needed(sessions: int, threshold: int) -> int:
    """The fewest sessions that meet ``threshold`` percent of ``sessions``: the smallest n with
    n × 100 ≥ threshold × sessions (80% of 16 is 13), in exact integers as the register's rule."""
    return -(-threshold * sessions // 100)


@register.filter
def completion_words(programme: Programme) -> str:
    """What counts as completing ``programme``, in words: "Attending at least 80% of the 16
    sessions (13)", "Attending all 5 sessions", "Attending the final session (session 16)"."""
    sessions = programme.sessions
    if sessions <= 1:
        return "Attending the session"
    if programme.completion_rule == FINAL_SESSION:
        return f"Attending the final session (session {sessions})"
    threshold = programme.attendance_threshold
    needed = sessions_needed(sessions, threshold)
    if needed >= sessions:
        return f"Attending all {sessions} sessions"
    return f"Attending at least {threshold}% of the {sessions} sessions ({needed})"


@register.filter
def financial_year(year: int) -> str:
    """The financial year starting in April of ``year``, as written: 2026 gives "2026/27"."""
    return f"{year}/{(year + 1) % 100:02d}"
