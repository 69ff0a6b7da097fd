"""A region over the test workspace's two organisations, for the region tests.

``make_region(workspace)`` builds "North regional IMH group" (slug ``north``) with Northern
sharing and Southern invited but not sharing (``southern_shares=True`` makes it share too),
a regional lead and a regional viewer who belong to no organisation, a second region
(``west``) with its own lead and target, and in both organisations what a region must never
see: named trainees on registers, earlier training, an establishment with a distinctive
service, and an anonymous code with an answer's text. The marker strings are module constants.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from conftest import PASSWORD

#: Names on the training registers and earlier training: no regional page may show them.
TRAINEE_NAMES = ("Nadia Northcote", "Quentin Southwood", "Ewan Earlyworth")
#: An anonymous code and an open answer's text: no regional page may show them.
ANONYMOUS_CODE = "QX9ZK7"
ANSWER_TEXT = "Xylophone reflections on the course"
#: Southern's own service: shown on a regional page only while Southern shares.
SOUTHERN_SERVICE = "Zebra perinatal team"
SOUTHERN_NAME = "Southern HSC Trust"


@dataclass
class RegionWorld:
    region: Any
    other_region: Any
    lead: Any  # regional lead of `region`, in no organisation
    viewer: Any  # regional viewer of `region`, in no organisation
    other_lead: Any  # regional lead of `other_region` only
    northern: Any  # RegionMember, sharing
    southern: Any  # RegionMember, not sharing unless asked
    target: Any  # a target of `region`
    other_target: Any  # a target of `other_region`


def _user(username: str) -> Any:
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user(username=username, password=PASSWORD)


def make_region(workspace: Any, *, southern_shares: bool = False) -> RegionWorld:
    from imheval.web.capture.models import Submission
    from imheval.web.workforce import models as wf

    region = wf.Region.objects.create(name="North regional IMH group", slug="north")
    other = wf.Region.objects.create(name="West programme board", slug="west", kind="hsc_board")
    lead, viewer, other_lead = _user("lead-region"), _user("viewer-region"), _user("lead-west")
    wf.RegionRole.objects.create(region=region, user=lead, role="lead")
    wf.RegionRole.objects.create(region=region, user=viewer, role="viewer")
    wf.RegionRole.objects.create(region=other, user=other_lead, role="lead")
    northern = wf.RegionMember.objects.create(
        region=region, organisation=workspace.organisation, shares=True
    )
    southern = wf.RegionMember.objects.create(
        region=region, organisation=workspace.other_organisation, shares=southern_shares
    )
    wf.RegionMember.objects.create(region=other, organisation=workspace.organisation, shares=True)
    target = wf.RegionalTarget.objects.create(
        region=region,
        service="Health visiting",
        profession="Health visitor",
        level="Skilled",
        target_percent=90,
        by_date=datetime.date(2027, 3, 31),
    )
    other_target = wf.RegionalTarget.objects.create(
        region=other,
        service="Midwifery",
        profession="Midwife",
        level="Informed",
        target_percent=75,
        by_date=datetime.date(2028, 3, 31),
    )
    _organisation_data(workspace.organisation, workspace.cohort, "Health visiting", 0)
    _organisation_data(workspace.other_organisation, workspace.other_cohort, SOUTHERN_SERVICE, 1)
    for collection in (workspace.pre, workspace.other_collection):
        Submission.objects.create(
            collection=collection,
            code=ANONYMOUS_CODE,
            status="complete",
            answers={"comment": ANSWER_TEXT},
        )
    return RegionWorld(
        region=region,
        other_region=other,
        lead=lead,
        viewer=viewer,
        other_lead=other_lead,
        northern=northern,
        southern=southern,
        target=target,
        other_target=other_target,
    )


def _organisation_data(organisation: Any, cohort: Any, service: str, which: int) -> None:
    """An establishment, a requirement, births, a completed trainee and earlier training."""
    from imheval.web.workforce import models as wf

    establishment = wf.Establishment.objects.create(
        organisation=organisation, as_of=datetime.date(2026, 4, 1)
    )
    for team in dict.fromkeys(("Health visiting", service)):  # the regional target's team too
        wf.EstablishmentRow.objects.create(
            establishment=establishment, service=team, profession="Health visitor", headcount=40
        )
    wf.LevelRequirement.objects.create(
        organisation=organisation,
        service=service,
        profession="Health visitor",
        level="Skilled",
        target_percent=90,
        by_date=datetime.date(2027, 3, 31),
    )
    wf.BirthsYear.objects.create(organisation=organisation, year=2025, births=3100 + which)
    wf.Trainee.objects.create(
        cohort=cohort,
        person=TRAINEE_NAMES[which],
        profession="Health visitor",
        service=service,
        completed_on=datetime.date(2026, 11, 3),
        completion_by_hand=True,
    )
    wf.EarlierTraining.objects.create(
        organisation=organisation,
        person=f"{TRAINEE_NAMES[2]} {which}",
        profession="Health visitor",
        service=service,
        level="Skilled",
        completed_on=datetime.date(2025, 6, 1),
    )
