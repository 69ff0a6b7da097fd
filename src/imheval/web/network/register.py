"""Taking the register for one meeting: who is eligible that day, and saving every mark at once.

A member is on a meeting's register only when one of their membership periods covers the
meeting's date (dates inclusive). Marks are saved in one transaction; only changed marks are
written, each through the model's save so the audit log records who changed it, when, and the
status before and after. A mark recorded by mistake can be cleared back to "not recorded"
(:data:`CLEAR`): the mark is deleted, and the audit log records the deletion with the mark it
was (its label names the member and the status).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Prefetch

from imheval.web.network.models import (
    AttendanceMark,
    Mark,
    Meeting,
    Member,
    MembershipPeriod,
)
from imheval.web.organisations import audit

FIELD_PREFIX = "mark-"
#: The register's choice that clears a member's mark back to "not recorded" (offered only
#: where a mark exists).
CLEAR = "none"


def eligible_members(meeting: Meeting) -> list[Member]:
    """The group's members whose membership covers the meeting's date, by name (2 queries)."""
    members = Member.objects.filter(group_id=meeting.group_id).prefetch_related(  # type: ignore[attr-defined]
        Prefetch("periods", queryset=MembershipPeriod.objects.order_by("joined"))
    )
    return [
        member
        for member in members.order_by("name", "pk")
        if any(
            period.joined <= meeting.date and (period.left is None or meeting.date <= period.left)
            for period in member.periods.all()
        )
    ]


def current_marks(meeting: Meeting) -> dict[int, AttendanceMark]:
    """The meeting's marks by member pk (1 query)."""
    return {mark.member_id: mark for mark in meeting.marks.all()}  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Row:
    """One line of the register: the member, their mark so far, and what the form shows."""

    member: Member
    saved: str
    by_member: bool
    chosen: str

    @property
    def field_name(self) -> str:
        return f"{FIELD_PREFIX}{self.member.pk}"


def rows(
    members: list[Member],
    marks: Mapping[int, AttendanceMark],
    submitted: Mapping[str, str] | None = None,
    everyone_present: bool = False,
) -> list[Row]:
    """The register's lines: a submitted choice wins, then the saved mark, then "present" for
    everyone still unmarked when the facilitator asked for that."""
    result = []
    for member in members:
        mark = marks.get(member.pk)
        saved = mark.status if mark else ""
        chosen = (submitted or {}).get(f"{FIELD_PREFIX}{member.pk}", "") or saved
        if not chosen and everyone_present:
            chosen = Mark.PRESENT
        result.append(Row(member, saved, bool(mark and mark.by_member), chosen))
    return result


class RegisterInputError(ValueError):
    """A register that cannot be saved, with the reason in plain words."""


def parse(
    data: Mapping[str, str],
    members: list[Member],
    meeting_date: datetime.date,
    today: datetime.date,
    saved: Mapping[int, object] | None = None,
) -> dict[int, str]:
    """The marks chosen in a submitted register: {member pk: status, or :data:`CLEAR` for a
    member whose mark in ``saved`` is to be cleared}. Unmarked members, and a clear for a member
    with no mark, are left out. Raises :class:`RegisterInputError` for a status that is not one
    of the four, and for anything but apologies (or clearing) before the meeting's day."""
    chosen: dict[int, str] = {}
    for member in members:
        value = str(data.get(f"{FIELD_PREFIX}{member.pk}", "")).strip()
        if not value:
            continue
        if value == CLEAR:
            if saved is not None and member.pk in saved:
                chosen[member.pk] = CLEAR
            continue
        if value not in Mark.values:
            raise RegisterInputError(
                f"'{value[:40]}' is not a mark for {member.name}: choose present, late, "
                "apologies or absent."
            )
        if meeting_date > today and value != "apologies":
            raise RegisterInputError(
                f"This meeting is on {meeting_date:%-d %B %Y}, which has not come yet: before "
                f"the day you can record only apologies ({member.name} was marked "
                f"{Mark(value).label.lower()})."
            )
        chosen[member.pk] = value
    return chosen


@transaction.atomic
def save(meeting: Meeting, chosen: Mapping[int, str]) -> int:
    """Write the chosen marks for ``meeting`` (deleting those chosen :data:`CLEAR`); returns
    how many were added, changed or cleared."""
    existing = {
        mark.member_id: mark  # type: ignore[attr-defined]
        for mark in AttendanceMark.objects.select_for_update().filter(meeting=meeting)
    }
    changed = 0
    for member_id, status in chosen.items():
        mark = existing.get(member_id)
        if status == CLEAR:
            if mark is not None:
                mark.delete()  # the audit log records the deletion, labelled with the mark
                changed += 1
            continue
        if mark is None:
            AttendanceMark.objects.create(meeting=meeting, member_id=member_id, status=status)
            changed += 1
        elif mark.status != status:
            audit.remember_loaded(mark)  # the row was just read: no second read for the log
            mark.status = status
            mark.by_member = False
            mark.save()
            changed += 1
    return changed
