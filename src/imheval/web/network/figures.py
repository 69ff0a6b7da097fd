"""Each group's line on the organisation's groups page, kept until the group's register moves.

Working out 200 groups' standings and retention on every visit reads every mark of every group
(16,000 for 200 groups of 10). A group's figures change only when its meetings, members,
membership periods, marks or settings change, or the day changes. So each group's figures are
kept in Django's cache under a key made of:

- the group's id and creation time (ids can be reused by a test database; creation times not);
- ``register_version``, which :func:`bump` raises on every save or delete of the group's
  meetings, members, membership periods and marks (signals connected in ``apps.py``, so a
  change made anywhere, the Django admin included, moves it);
- the rule's settings (target, late and apologies policies, the attendance year);
- the as-of date and today.

The version is read from the group's own row, fetched on every visit, so every server process
sees a change at once; a stale line cannot be shown. Only the organisation's page uses this: the
group's own page always works its figures out afresh.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db.models import F

from imheval.network.attendance import standings
from imheval.network.retention import Retention, retention
from imheval.web.network import adapter, overview
from imheval.web.network import models as m

#: How long a group's line is kept at most (the key changes with any change anyway).
KEEP_SECONDS = 24 * 60 * 60


@dataclass(frozen=True)
class GroupLine:
    """What the organisation's page shows for one group."""

    figures: overview.GroupFigures
    retention: Retention


def bump(sender: type[Any], instance: Any, **kwargs: Any) -> None:
    """Signal receiver: the group of a saved or deleted meeting, member, period or mark has a
    new register version (one UPDATE; no audit entry, no signals)."""
    if kwargs.get("raw"):
        return
    if isinstance(instance, m.Meeting | m.Member):
        owner = {"pk": instance.group_id}
    elif isinstance(instance, m.MembershipPeriod):
        owner = {"members__pk": instance.member_id}
    elif isinstance(instance, m.AttendanceMark):
        owner = {"meetings__pk": instance.meeting_id}
    else:
        return
    m.NetworkGroup.objects.filter(**owner).update(register_version=F("register_version") + 1)


def connect() -> None:
    """Connect :func:`bump` to the four models' saves and deletes (from AppConfig.ready)."""
    from django.db.models.signals import post_delete, post_save

    for model in (m.Meeting, m.Member, m.MembershipPeriod, m.AttendanceMark):
        post_save.connect(bump, sender=model, dispatch_uid=f"network-figures-save-{model.__name__}")
        post_delete.connect(
            bump, sender=model, dispatch_uid=f"network-figures-delete-{model.__name__}"
        )


def _key(group: m.NetworkGroup, as_of: datetime.date, today: datetime.date) -> str:
    created = group.created_at.timestamp() if group.created_at else 0
    return (
        f"network-line:{group.pk}:{created}:{group.register_version}:{group.target_percent}:"
        f"{group.late_counts_as_attended}:{group.apologies}:{group.year_start}:"
        f"{group.year_months}:{as_of}:{today}"
    )


def group_lines(
    groups: Sequence[m.NetworkGroup], as_of: Mapping[int, datetime.date], today: datetime.date
) -> dict[int, GroupLine]:
    """Each group's line (by pk): kept ones from the cache, the others worked out by the core
    from their registers (read for those groups only, in four queries) and kept."""
    keys = {group.pk: _key(group, as_of[group.pk], today) for group in groups}
    kept: dict[str, GroupLine] = cache.get_many(list(keys.values()))
    lines = {pk: kept[key] for pk, key in keys.items() if key in kept}
    missing = [group for group in groups if group.pk not in lines]
    if missing:
        registers = adapter.registers_for_groups(missing, as_of)
        fresh: dict[str, GroupLine] = {}
        for group in missing:
            register = registers[group.pk]
            rule = adapter.group_rule(group)
            found = standings(register, rule, as_of[group.pk])
            line = GroupLine(
                overview.figures(register, found, today),
                retention(register, rule, as_of[group.pk]),
            )
            lines[group.pk] = line
            fresh[keys[group.pk]] = line
        cache.set_many(fresh, KEEP_SECONDS)
    return lines
