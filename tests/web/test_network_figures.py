"""The organisation's groups page keeps each group's figures until its register moves: every
kind of change shows at once, and nothing kept is ever shown stale."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from conftest import client_as
from django.core.cache import cache
from django.utils import timezone
from network_groups_data import AS_OF, WORKED_EXAMPLE, add_member, held_meetings, make_group, url

from imheval.web.network.models import AttendanceMark, Meeting, MembershipPeriod, NetworkGroup

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _as_of(monkeypatch: pytest.MonkeyPatch) -> None:
    noon = timezone.make_aware(datetime.datetime.combine(AS_OF, datetime.time(12)))
    monkeypatch.setattr(timezone, "now", lambda: noon)
    cache.clear()


def _line(client: Any, group: NetworkGroup) -> dict[str, Any]:
    lines = client.get(url("groups")).context["lines"]
    (line,) = [line for line in lines if line["group"].pk == group.pk]
    return line


def _figures(client: Any, group: NetworkGroup) -> tuple[int, int, int, int, int, int]:
    line = _line(client, group)
    figures, retention = line["figures"], line["retention"]
    return (
        figures.members_now,
        figures.attended,
        figures.held,
        figures.below_target,
        retention.joined,
        retention.left,
    )


def _group(workspace: Any) -> tuple[NetworkGroup, Any]:
    group = make_group(workspace.organisation)
    ann = add_member(group, "Ann")
    for meeting, status in zip(held_meetings(group), WORKED_EXAMPLE, strict=True):
        AttendanceMark.objects.create(meeting=meeting, member=ann, status=status)
    return group, ann


def test_a_kept_line_is_the_line_worked_out_afresh(workspace: Any) -> None:
    group, _ = _group(workspace)
    client = client_as(workspace.users["viewer"])
    fresh = _figures(client, group)
    assert fresh == _figures(client, group)  # the second visit reads the kept line
    cache.clear()
    assert _figures(client, group) == fresh
    # Ann, the worked example: attended 5 of 7 held; must attend all, so not below target.
    assert fresh == (1, 5, 7, 0, 0, 0)


def _change_mark(group: NetworkGroup, ann: Any) -> None:
    mark = AttendanceMark.objects.get(member=ann, meeting=held_meetings(group)[2])
    mark.status = "present"  # the absence was a mistake
    mark.save()


def _delete_mark(group: NetworkGroup, ann: Any) -> None:
    AttendanceMark.objects.get(member=ann, meeting=held_meetings(group)[0]).delete()


def _add_member(group: NetworkGroup, ann: Any) -> None:
    add_member(group, "Bea", joined=datetime.date(2026, 1, 10))


def _ann_leaves(group: NetworkGroup, ann: Any) -> None:
    period = MembershipPeriod.objects.get(member=ann)
    period.left = datetime.date(2026, 2, 1)
    period.save()


def _cancel_meeting(group: NetworkGroup, ann: Any) -> None:
    meeting = held_meetings(group)[2]  # the meeting Ann missed
    meeting.cancelled = True
    meeting.save()


def _delete_meeting(group: NetworkGroup, ann: Any) -> None:
    Meeting.objects.filter(pk=held_meetings(group)[2].pk).get().delete()


def _raise_target(group: NetworkGroup, ann: Any) -> None:
    group.target_percent = Decimal("90")
    group.save()


def _apologies_excluded(group: NetworkGroup, ann: Any) -> None:
    group.apologies = "excluded"
    group.save()


@pytest.mark.parametrize(
    ("change", "after"),
    [
        # absent -> present at the third meeting: attended 6 of 7
        (_change_mark, (1, 6, 7, 0, 0, 0)),
        # the first meeting unrecorded: still held (counted as missed), attended 4 of 7: slack
        # 4 + 5 - 10 = -1, cannot reach
        (_delete_mark, (1, 4, 7, 1, 0, 0)),
        # Bea joined in January: 2 members; the meetings since (Feb, Mar) held, unrecorded for
        # her: 5 + 0 of 7 + 2; Bea's slack 0 + 5 - ceil(0.8 x 7) = -1: cannot reach
        (_add_member, (2, 5, 9, 1, 1, 0)),
        # Ann left on 1 February: nobody a member now, 1 left this year; her held meetings end
        # with January (5 held: P P A E P, attended 3; required ceil(4) = 4: not met)
        (_ann_leaves, (0, 3, 5, 1, 0, 1)),
        # the meeting she missed cancelled: attended 5 of 6
        (_cancel_meeting, (1, 5, 6, 0, 0, 0)),
        (_delete_meeting, (1, 5, 6, 0, 0, 0)),
        # at 90%: required ceil(10.8) = 11 > 5 + 5: cannot reach
        (_raise_target, (1, 5, 7, 1, 0, 0)),
        # apologies leave the count: 5 of 6 held
        (_apologies_excluded, (1, 5, 6, 0, 0, 0)),
    ],
)
def test_every_kind_of_change_shows_at_once(
    workspace: Any, change: Callable[[NetworkGroup, Any], None], after: tuple[int, ...]
) -> None:
    group, ann = _group(workspace)
    client = client_as(workspace.users["viewer"])
    assert _figures(client, group) == (1, 5, 7, 0, 0, 0)  # now kept
    change(NetworkGroup.objects.get(pk=group.pk), ann)
    assert _figures(client, group) == after
    cache.clear()
    assert _figures(client, group) == after  # the same as worked out afresh


def test_a_register_saved_on_the_page_moves_the_version(workspace: Any) -> None:
    group, ann = _group(workspace)
    before = NetworkGroup.objects.get(pk=group.pk).register_version
    meeting = held_meetings(group)[2]
    response = client_as(workspace.users["admin"]).post(
        url("register", group, meeting=meeting), {f"mark-{ann.pk}": "present"}
    )
    assert response.status_code == 302
    assert NetworkGroup.objects.get(pk=group.pk).register_version > before
