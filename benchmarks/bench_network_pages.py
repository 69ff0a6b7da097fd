"""Network group pages at scale: a group's page with 60 members over 3 years of monthly meetings,
and the organisation's groups page with 200 groups.

    python benchmarks/bench_network_pages.py                      # SQLite, full size
    python benchmarks/bench_network_pages.py --postgres postgres://postgres@127.0.0.1:5432/postgres
    python benchmarks/bench_network_pages.py --groups 50 --repeats 10

It makes a new database (SQLite in a temporary data folder, or a freshly made database
``imheval_bench_network`` on the PostgreSQL server named by ``--postgres``), migrates it and
builds one organisation with:

- the big group: ``--members`` members (60) joining at different times over 3 years of meetings
  on the first Thursday of every month (36 meetings, the attendance year being the last 12
  months of them, today 8 months in), some leaving; every eligible held meeting marked (present
  mostly, some late, apologies and absent; the latest meeting left unrecorded for a few);
- ``--groups`` (200) groups in all: the others with 10 members and a year of meetings each.

Rows go in with ``bulk_create`` (not timed). Then, through Django's test client signed in as an
evaluator, it measures each page: the first request (cold), the query count, and the median and
90th percentile of ``--repeats`` later requests (warm). Figures are printed as a table. Nothing
asserts on time; the target is under 300 ms warm.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import time
from typing import Any

from web_bench import start_django, time_page

BENCH_DB = "imheval_bench_network"
USERNAME = "bench-evaluator"
STATUSES = ("present",) * 14 + ("late",) * 2 + ("apologies",) * 2 + ("absent",) * 2


def _month(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def _build(members: int, groups: int, today: datetime.date) -> tuple[Any, Any]:
    """The organisation and its big group (see the module docstring)."""
    from django.contrib.auth import get_user_model

    from imheval.network.calendar import MeetingSeries
    from imheval.web.network.models import (
        AttendanceMark,
        Meeting,
        Member,
        MembershipPeriod,
        NetworkGroup,
    )
    from imheval.web.organisations.models import Membership, Organisation

    user = get_user_model().objects.create_user(username=USERNAME, password="not used")
    organisation = Organisation.objects.create(name="Bench Trust", slug="bench")
    Membership.objects.create(user=user, organisation=organisation, role="evaluator")
    year_start = _month(today.replace(day=1), -8)
    rule = "FREQ=MONTHLY;BYDAY=1TH"
    big = None
    for number in range(groups):
        is_big = number == 0
        first = _month(year_start, -24) if is_big else year_start
        group = NetworkGroup.objects.create(
            organisation=organisation,
            name=f"Network group {number:03d}",
            year_start=year_start,
            recurrence=rule,
        )
        big = big or group
        series = MeetingSeries(rule, first, datetime.time(14, 0))
        dates = series.dates_between(first, _month(year_start, 12))
        Meeting.objects.bulk_create(
            Meeting(
                group=group,
                date=day,
                series_date=day,
                start_time=datetime.time(14, 0),
                duration_minutes=90,
            )
            for day in dates
        )
        meetings = list(Meeting.objects.filter(group=group).order_by("date"))
        count = members if is_big else 10
        made = Member.objects.bulk_create(
            Member(group=group, name=f"Member {index:03d}", profession="Health visitor")
            for index in range(count)
        )
        periods = []
        for index, member in enumerate(made):
            joined = dates[(index * 7) % max(len(dates) - 6, 1)] - datetime.timedelta(days=3)
            left = None
            if index % 9 == 4:  # some leave 10 months after joining
                left = _month(joined, 10) - datetime.timedelta(days=1)
            periods.append(MembershipPeriod(member=member, joined=joined, left=left))
        MembershipPeriod.objects.bulk_create(periods)
        latest = max((m for m in meetings if m.date <= today), key=lambda m: m.date)
        marks = []
        for index, period in enumerate(periods):
            for turn, meeting in enumerate(meetings):
                if meeting.date > today or meeting.date < period.joined:
                    continue
                if period.left is not None and meeting.date > period.left:
                    continue
                if meeting is latest and index % 10 == 3:
                    continue  # not recorded yet
                status = STATUSES[(index * 5 + turn * 3) % len(STATUSES)]
                marks.append(AttendanceMark(meeting=meeting, member=period.member, status=status))
        AttendanceMark.objects.bulk_create(marks, batch_size=2000)
    return organisation, big


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=60, help="members of the big group")
    parser.add_argument("--groups", type=int, default=200, help="groups in the organisation")
    parser.add_argument("--repeats", type=int, default=20, help="warm requests per page")
    parser.add_argument("--postgres", help="a PostgreSQL server address (default: SQLite)")
    options = parser.parse_args(argv)

    start_django("imheval-bench-network-", options.postgres, BENCH_DB)
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    today = timezone.localdate()
    started = time.perf_counter()
    organisation, big = _build(options.members, options.groups, today)
    built = time.perf_counter() - started

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(get_user_model().objects.get(username=USERNAME))
    pages = {
        f"group page ({options.members} members, 36 meetings)": reverse(
            "network:group", kwargs={"org": organisation.slug, "group": big.pk}
        ),
        f"organisation's groups page ({options.groups} groups)": reverse(
            "network:groups", kwargs={"org": organisation.slug}
        ),
    }
    database = "PostgreSQL" if options.postgres else "SQLite"
    print(
        f"{database}, Python {platform.python_version()}, {platform.machine()}, "
        f"{os.cpu_count()} CPUs; data built in {built:.1f} s; {options.repeats} warm requests"
    )
    print(f"{'page':<48} {'cold ms':>8} {'queries':>8} {'median ms':>10} {'p90 ms':>8}")
    for label, url in pages.items():
        figures = time_page(client, url, options.repeats)
        print(
            f"{label:<48} {figures['cold_ms']:>8.0f} {figures['queries']:>8} "
            f"{figures['median_ms']:>10.1f} {figures['p90_ms']:>8.1f}"
        )


if __name__ == "__main__":
    main()
