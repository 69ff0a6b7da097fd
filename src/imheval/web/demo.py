"""The demo workspace: the synthetic seed-style study loaded into a fresh database.

``load_demo()`` creates a demo organisation with the study's three programmes (Think Family,
Solihull, Anna Freud: beginner, intermediate and advanced, as in seed 000), its six cohorts with
closed pre- and post-test collections holding every response of the demo study, an unopened
12-week follow-up for each, one new cohort whose pre-test is open for trying the questionnaire on
a phone, an evaluator account and a reviewer account (the second reviewer of themes). It also
holds a network group like seed 002's (``imheval.web.network.demo``): monthly on the first
Thursday, nine members who joined at different times, a year of marks with apologies and lates,
and readings; and focus groups analysed thematically (``imheval.web.qualitative.demo``): cohort
S1's two after its course, quotes linked to its results, and the network group's.
Workforce coverage, places, outcomes and a region with its lead: ``imheval.web.workforce.demo``.
"""

from __future__ import annotations

import datetime
import secrets
from dataclasses import dataclass
from decimal import Decimal

import pandas as pd
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from imheval.demo import DEMO_INSTRUMENT_REFS, demo_path
from imheval.instruments.bank import split_ref
from imheval.io.table import RESERVED_COLUMNS, normalise_code
from imheval.web.capture.models import Source, Status, Submission
from imheval.web.network import demo as network_demo
from imheval.web.organisations.audit import acting_as
from imheval.web.organisations.models import Membership, Organisation, Role
from imheval.web.qualitative import demo as qualitative_demo
from imheval.web.workforce import demo as workforce_demo
from imheval.web.workspace.models import (
    Cohort,
    Collection,
    Delivery,
    DurationUnit,
    Level,
    Programme,
    Timepoint,
)

DEMO_ORGANISATION = "Demo Health and Social Care Trust"
DEMO_SLUG = "demo"
DEMO_USERNAME = "demo-evaluator"
#: The second reviewer of the demo's focus group themes (role "reviewer"), same password.
DEMO_REVIEWER = "demo-reviewer"

#: The seed study's three courses: level, provider, delivery and length.
PROGRAMMES = {
    "Think Family": (Level.BEGINNER, "Think Family team", Delivery.FACE_TO_FACE, "2", "hours"),
    "Solihull": (Level.INTERMEDIATE, "Solihull Approach", Delivery.FACE_TO_FACE, "2", "days"),
    "Anna Freud": (Level.ADVANCED, "Anna Freud Centre", Delivery.BLENDED, "3", "days"),
}
CORE = "imh-core"
ADVANCED = "imh-advanced-knowledge"
#: The versions the demo's answers were made for (DEMO_INSTRUMENT_REFS), pinned on every demo
#: questionnaire so the demo keeps working when the bank's current version changes.
DEMO_VERSIONS = dict(split_ref(ref) for ref in DEMO_INSTRUMENT_REFS)
FOLLOW_UP_WEEKS = 12


@dataclass(frozen=True)
class DemoWorkspace:
    """What :func:`load_demo` made: where to sign in and with what."""

    organisation: Organisation
    username: str
    password: str
    open_collection: Collection
    responses: int
    reviewer: str = DEMO_REVIEWER


@transaction.atomic
def load_demo(password: str | None = None) -> DemoWorkspace:
    """Create the demo organisation, study, evaluator and reviewer (both signing in with
    ``password``); see the module docstring."""
    password = password or secrets.token_urlsafe(9)
    user_model = get_user_model()
    user = user_model.objects.create_user(username=DEMO_USERNAME, password=password)
    organisation = Organisation.objects.create(name=DEMO_ORGANISATION, slug=DEMO_SLUG)
    Membership.objects.create(user=user, organisation=organisation, role=Role.EVALUATOR)
    reviewer = user_model.objects.create_user(username=DEMO_REVIEWER, password=password)
    Membership.objects.create(user=reviewer, organisation=organisation, role=Role.REVIEWER)
    frame = pd.read_csv(demo_path(), dtype=str, keep_default_na=False)
    items = [column for column in frame.columns if column not in RESERVED_COLUMNS]
    start = datetime.date(2026, 3, 2)
    with acting_as(user, "demo loader"):
        programmes = {
            name: Programme.objects.create(
                organisation=organisation,
                name=name,
                provider=provider,
                level=level,
                delivery=delivery,
                duration_value=Decimal(length),
                duration_unit=DurationUnit(unit),
            )
            for name, (level, provider, delivery, length, unit) in PROGRAMMES.items()
        }
        submissions = []
        # Cohorts in the order the study lists them (beginner to advanced, as in seed 000).
        groups = frame.groupby(["programme", "cohort"], sort=False)
        for index, (keys, rows) in enumerate(groups):
            programme, cohort_name = str(keys[0]), str(keys[1])
            first_day = start + datetime.timedelta(weeks=2 * index)
            cohort = Cohort.objects.create(
                programme=programmes[programme],
                name=cohort_name,
                start_date=first_day,
                end_date=first_day + datetime.timedelta(days=_days(programmes[programme]) - 1),
                trainer="Demo trainer",
                venue="Training centre",
            )
            advanced = (rows[[c for c in items if c.startswith("AK")]] != "").to_numpy().any()
            refs = [CORE, ADVANCED] if advanced else [CORE]
            for timepoint in (Timepoint.PRE, Timepoint.POST):
                collection = Collection.objects.create(
                    cohort=cohort,
                    timepoint=timepoint,
                    instrument_refs=refs,
                    instrument_versions=_pins(refs),
                    opened_at=timezone.now(),
                    closed_at=timezone.now(),
                )
                for record in rows[rows["timepoint"] == str(timepoint)].to_dict("records"):
                    submissions.append(
                        Submission(
                            collection=collection,
                            code=normalise_code(record["participant"]),
                            profession=record["profession"],
                            directorate=record["directorate"],
                            answers={item: record[item] for item in items if record[item] != ""},
                            page=1,
                            status=Status.COMPLETE,
                            source=Source.WEB,
                            completed_at=timezone.now(),
                        )
                    )
            Collection.objects.create(
                cohort=cohort,
                timepoint=Timepoint.FOLLOWUP,
                instrument_refs=refs,
                instrument_versions=_pins(refs),
                follow_up_weeks=FOLLOW_UP_WEEKS,
            )
        # bulk_create sends no signals, so the demo's 154 historic responses are seed data,
        # not audit-log entries; the programmes, cohorts and collections above are logged.
        Submission.objects.bulk_create(submissions)
        new_cohort = Cohort.objects.create(
            programme=programmes["Solihull"],
            name="S3",
            start_date=timezone.localdate(),
            end_date=timezone.localdate() + datetime.timedelta(days=1),
            trainer="Demo trainer",
            venue="Training centre",
        )
        open_collection = Collection.objects.create(
            cohort=new_cohort,
            timepoint=Timepoint.PRE,
            instrument_refs=[CORE],
            instrument_versions=_pins([CORE]),
        )
        open_collection.open()
        group = network_demo.load_network_group(organisation, timezone.localdate())
        qualitative_demo.load_focus_groups(
            organisation, user, reviewer, group, timezone.localdate()
        )
        workforce_demo.load_workforce(organisation, password, timezone.localdate())
    return DemoWorkspace(organisation, DEMO_USERNAME, password, open_collection, len(submissions))


def _pins(refs: list[str]) -> dict[str, str]:
    return {ref: str(DEMO_VERSIONS[ref]) for ref in refs}


def _days(programme: Programme) -> int:
    if programme.duration_unit == DurationUnit.DAYS:
        return int(programme.duration_value)
    return 1
