"""Who may reach which workspace page.

The outsider walk (required by the issue) requests EVERY URL pattern of the site, as a signed-in
member of another organisation, pointed at the northern organisation's objects, with GET and
POST: each must answer 404, exactly as if nothing were there. Patterns that are public by design
are excluded by name below; a new pattern whose address has a part the walk cannot fill makes
the walk fail, so it keeps covering new pages.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from imheval.web.organisations import links
from imheval.web.organisations.models import AuditEvent, Membership
from imheval.web.workspace import urls as workspace_urls
from imheval.web.workspace.models import Collection, InstrumentFile

#: Route prefixes that are public by design (or staff-only, with their own sign-in).
PUBLIC_PREFIXES = (
    "healthz",  # the load balancer's probe
    "sign-in/",
    "sign-out/",
    "privacy/",
    "admin/",  # Django admin: off unless IMHEVAL_ADMIN=1 (test_accounts_lockout), staff only
    "q/",  # the participant's questionnaire: public by design, reached by unguessable token
    "invitations/",  # single-use invitation links: unguessable token (test_accounts_invitations)
    "password-reset/",  # single-use reset links: unguessable token (test_accounts_passwords)
    "guides/",  # the docs/ guides, public (test_guides)
    "preview/",  # a signed token naming the organisation; members only (test_capture_preview)
    "p/",  # the anonymous member profile questionnaire: unguessable token (test_network_profile)
    "calendars/",  # a network group's meetings (.ics): replaceable token (test_network_meetings)
    "m/",  # a network group member's own page: unguessable token (test_network_member_link)
    # a region's pages: reached through a regional role, not an organisation; their own walk
    # (test_workforce_region_access) proves a region sees only what its members share
    "r/",
)
#: Public routes matched exactly (the empty route is the site's home page).
PUBLIC_ROUTES = {""}
#: Signed-in pages that name no organisation: they may answer, but show nothing of northern.
OWN_ORGANISATIONS_ROUTES = {"o/", "account/password/"}

INSTRUMENT = """\
format: imheval-instrument/1
id: northern-only
version: "1"
title: Northern only questions
levels: [beginner]
domains: [{id: k, label: Knowledge}]
items:
  - {id: Q1, domain: k, text: Is this clear, options: {a: Yes, b: No}, key: a}
"""


def _patterns(
    resolver: URLResolver, prefix: str = "", namespace: str = ""
) -> Iterator[tuple[str, str, set[str]]]:
    """(route, "namespace:name", converter names) of every pattern, nested ones included."""
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = f"{namespace}:{entry.namespace}" if entry.namespace else namespace
            yield from _patterns(entry, route, inner.strip(":"))
        else:
            assert isinstance(entry, URLPattern)
            name = f"{namespace}:{entry.name}".strip(":") if entry.name else ""
            yield route, name, _converter_names(route)


def _converter_names(route: str) -> set[str]:
    from django.urls.resolvers import _route_to_regex

    _, converters = _route_to_regex(route, is_endpoint=True)
    return set(converters)


def _is_public(route: str) -> bool:
    return route in PUBLIC_ROUTES or route.startswith(PUBLIC_PREFIXES)


def _northern_kwargs(workspace: Any) -> dict[str, Any]:
    """A northern object for every address part the workspace uses."""
    instrument_file = InstrumentFile.from_upload(workspace.organisation, "n.yaml", INSTRUMENT)
    instrument_file.save()
    admin = Membership.objects.get(user=workspace.users["admin"])
    invitation, _ = links.invite(workspace.organisation, "viewer", "for the walk", admin.user)
    from imheval.web.paper.models import ImportBatch, PaperForm

    paper_form = PaperForm.objects.create(
        collection=workspace.pre, form_number=1, status="single", first_code="MA07BE"
    )
    batch = ImportBatch.objects.create(cohort=workspace.cohort, file_name="n.csv", layout="tidy")
    from imheval.web.tasks.models import Job

    job = Job.objects.create(
        organisation=workspace.organisation,
        requested_by=workspace.users["admin"],
        kind="report",
        title="Report (PDF) for Northern HSC Trust",
        state="done",
        output=b"%PDF-1.7",
        file_name="northern-report.pdf",
        content_type="application/pdf",
    )
    from imheval.web.network.models import (
        Meeting,
        Member,
        MembershipPeriod,
        NetworkGroup,
        Reading,
    )

    group = NetworkGroup.objects.create(
        organisation=workspace.organisation,
        name="Perinatal network",
        year_start=datetime.date(2026, 9, 1),
    )
    meeting = Meeting.objects.create(
        group=group, date=datetime.date(2026, 9, 3), start_time="14:00", duration_minutes=90
    )
    group_member = Member.objects.create(group=group, name="A Member")
    period = MembershipPeriod.objects.create(member=group_member, joined=datetime.date(2026, 9, 1))
    reading = Reading.objects.create(
        organisation=workspace.organisation, authors="North, A.", title="A northern reading"
    )
    qualitative = _northern_qualitative(workspace)
    workforce = _northern_workforce(workspace)
    return {
        **qualitative,
        **workforce,
        "reading": reading.pk,
        "group": group.pk,
        "meeting": meeting.pk,
        "group_member": group_member.pk,
        "period": period.pk,
        "org": workspace.organisation.slug,
        "programme": workspace.programme.pk,
        "cohort": workspace.cohort.pk,
        "collection": workspace.pre.pk,
        "instrument_file": instrument_file.pk,
        "member": admin.pk,
        "invitation": invitation.pk,
        "instrument_id": "imh-core",
        "form": paper_form.pk,
        "batch": batch.pk,
        "job": job.pk,
    }


def _northern_qualitative(workspace: Any) -> dict[str, int]:
    """A northern qualitative study and one of each thing in it, for the qualitative pages."""
    from qual_data import make_code, make_coder, make_coding, make_source, make_study

    from imheval.web.qualitative.models import Memo, PhaseEntry, Review

    study = make_study(workspace.organisation, scope=workspace.cohort)
    source = make_source(study, "PX1: It made sense.\n")
    theme = make_code(study, "Northern theme")
    code = make_code(study, "Northern code", parent=make_code(study, "Northern sub", parent=theme))
    coder = make_coder(study, "Northern coder", user=workspace.users["admin"])
    coding = make_coding(source, code, coder=coder, text="It made sense.")
    memo = Memo.objects.create(study=study, text="A northern memo")
    phase = PhaseEntry.objects.create(study=study, phase=1, date=datetime.date(2026, 11, 20))
    review = Review.objects.create(study=study, code=theme, decision="accept")
    return {
        "study": study.pk,
        "source": source.pk,
        "speaker": source.turns.get().speaker_id,
        "code": code.pk,
        "coder": coder.pk,
        "coding": coding.pk,
        "memo": memo.pk,
        "phase": phase.pk,
        "review": review.pk,
    }


def _northern_workforce(workspace: Any) -> dict[str, Any]:
    """One northern object of each kind the workforce pages name."""
    from imheval.web.workforce import models as wf

    organisation = workspace.organisation
    trainee = wf.Trainee.objects.create(
        cohort=workspace.cohort, person="N100", profession="Health visitor", service="HV"
    )
    places = wf.PlacesYear.objects.create(programme=workspace.programme, year=2026, funded=20)
    earlier = wf.EarlierTraining.objects.create(
        organisation=organisation,
        person="N101",
        profession="Midwife",
        service="Maternity",
        level="Skilled",
        completed_on=datetime.date(2025, 6, 1),
    )
    establishment = wf.Establishment.objects.create(
        organisation=organisation, as_of=datetime.date(2026, 4, 1)
    )
    post = wf.EstablishmentRow.objects.create(
        establishment=establishment, service="HV", profession="Health visitor", headcount=10
    )
    requirement = wf.LevelRequirement.objects.create(
        organisation=organisation,
        service="HV",
        profession="Health visitor",
        level="Skilled",
        target_percent=90,
        by_date=datetime.date(2027, 3, 31),
    )
    point = wf.TrajectoryPoint.objects.create(
        requirement=requirement, by_date=datetime.date(2026, 9, 30), target_percent=50
    )
    births = wf.BirthsYear.objects.create(organisation=organisation, year=2025, births=3200)
    region = wf.Region.objects.create(name="Northern region", slug="northern-region")
    region_member = wf.RegionMember.objects.create(region=region, organisation=organisation)
    figure = wf.ServiceFigure.objects.create(
        organisation=organisation,
        service="HV",
        measure="referrals_parent_infant",
        period="2025-04",
        value=9,
    )
    service_training = wf.ServiceTraining.objects.create(
        organisation=organisation, service="HV", trained_on=datetime.date(2025, 1, 1)
    )
    return {
        "trainee": trainee.pk,
        "places": places.pk,
        "earlier": earlier.pk,
        "establishment": establishment.pk,
        "post": post.pk,
        "requirement": requirement.pk,
        "point": point.pk,
        "births": births.pk,
        "region_member": region_member.pk,
        "figure": figure.pk,
        "training": service_training.pk,
        "year": 2026,
        "file_format": "csv",
    }


def _walk(workspace: Any) -> list[tuple[str, str, dict[str, Any]]]:
    """(route, name, kwargs) of every non-public pattern, kwargs naming northern's objects."""
    known = _northern_kwargs(workspace)
    walked = []
    for route, name, converters in _patterns(get_resolver()):
        if _is_public(route) or route in OWN_ORGANISATIONS_ROUTES:
            continue
        unknown = converters - set(known)
        assert not unknown, (
            f"URL pattern {route!r} has address parts {sorted(unknown)} this test cannot fill: "
            "add a northern object for each to _northern_kwargs so the outsider walk covers it"
        )
        assert name, f"URL pattern {route!r} has no name, so the walk cannot reverse it"
        assert "org" in converters, f"{route!r} is neither public nor inside an organisation"
        walked.append((route, name, {key: known[key] for key in converters}))
    return walked


def test_outsider_gets_404_from_every_workspace_address_of_another_organisation(
    workspace: Any,
) -> None:
    walked = _walk(workspace)
    workspace_pages = {f"workspace:{p.name}" for p in workspace_urls.urlpatterns} - {
        "workspace:home"
    }
    assert workspace_pages <= {name for _, name, _ in walked}
    client = Client()
    client.force_login(workspace.outsider)  # evaluator of southern only
    events_before = AuditEvent.objects.count()
    answers = {}
    for _, name, kwargs in walked:
        url = reverse(name, kwargs=kwargs)
        for method in ("get", "post"):
            answers[(method.upper(), url)] = getattr(client, method)(url).status_code
    wrong = {request: status for request, status in answers.items() if status != 404}
    assert wrong == {}
    assert AuditEvent.objects.count() == events_before
    workspace.pre.refresh_from_db()
    assert workspace.pre.is_open


def test_outsider_gets_404_for_northern_objects_under_their_own_organisation(
    workspace: Any,
) -> None:
    """Their own organisation's address with northern's object numbers: still nothing there."""
    client = Client()
    client.force_login(workspace.outsider)
    objects = {"programme", "cohort", "collection", "instrument_file", "member", "invitation"}
    checked = 0
    for _, name, kwargs in _walk(workspace):
        if not objects & set(kwargs):
            continue
        url = reverse(name, kwargs={**kwargs, "org": "southern"})
        assert client.get(url).status_code == 404, url
        assert client.post(url).status_code == 404, url
        checked += 1
    assert checked >= 16  # every page naming a programme, cohort, questionnaire, file or member
    assert Collection.objects.get(pk=workspace.pre.pk).is_open


def test_own_organisation_pages_show_nothing_of_another_organisation(workspace: Any) -> None:
    client = Client()
    client.force_login(workspace.outsider)
    response = client.get(reverse("workspace:home"))
    assert response.status_code == 302 and response["Location"] == "/o/southern/"
    page = client.get(response["Location"]).content.decode()
    assert "Think Family" in page and "Northern" not in page and "Solihull" not in page


def test_anonymous_visitors_are_sent_to_sign_in_from_every_workspace_page(
    workspace: Any,
) -> None:
    client = Client()
    urls = ["/o/"] + [reverse(name, kwargs=kwargs) for _, name, kwargs in _walk(workspace)]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == f"/sign-in/?next={url}", url
    close = reverse(
        "workspace:collection_close", kwargs={"org": "northern", "collection": workspace.pre.pk}
    )
    assert client.post(close).status_code == 302
    workspace.pre.refresh_from_db()
    assert workspace.pre.is_open


# ----------------------------------------------------------------------- roles

#: (page, kwargs needing objects, roles allowed, others get 403): form pages, GET and POST.
FORM_PAGES = [
    ("programme_create", (), {"admin", "evaluator"}),
    ("programme_edit", ("programme",), {"admin", "evaluator"}),
    ("cohort_create", ("programme",), {"admin", "evaluator", "trainer"}),
    ("cohort_edit", ("cohort",), {"admin", "evaluator", "trainer"}),
    ("collection_create", ("cohort",), {"admin", "evaluator", "trainer"}),
    ("collection_edit", ("collection",), {"admin", "evaluator", "trainer"}),
    ("instrument_upload", (), {"admin", "evaluator"}),
    ("instrument_import", (), {"admin", "evaluator"}),
    ("member_invite", (), {"admin"}),
    ("invitation_revoke", ("invitation",), {"admin"}),
    ("member_password_reset", ("member",), {"admin"}),
    ("member_edit", ("member",), {"admin"}),
    ("member_remove", ("member",), {"admin"}),
]


@pytest.mark.parametrize(("page", "objects", "allowed"), FORM_PAGES)
@pytest.mark.parametrize("role", ["admin", "evaluator", "trainer", "viewer"])
def test_each_role_reaches_only_the_forms_it_may_use(
    workspace: Any, page: str, objects: tuple[str, ...], allowed: set[str], role: str
) -> None:
    kwargs = {key: value for key, value in _northern_kwargs(workspace).items() if key in objects}
    if "member" in kwargs:  # a viewer's membership, so a successful removal cannot lock anyone out
        kwargs["member"] = Membership.objects.get(user=workspace.users["viewer"]).pk
    url = reverse(f"workspace:{page}", kwargs={"org": "northern", **kwargs})
    client = Client()
    client.force_login(workspace.users[role])
    expected = 200 if role in allowed else 403
    assert client.get(url).status_code == expected
    events_before = AuditEvent.objects.count()
    posted = client.post(url, {})  # an empty form: shown again with errors, or refused
    assert posted.status_code == (403 if role not in allowed else posted.status_code)
    if role not in allowed:
        assert AuditEvent.objects.count() == events_before


def test_trainer_cannot_create_a_programme(workspace: Any) -> None:
    client = Client()
    client.force_login(workspace.users["trainer"])
    response = client.post(
        reverse("workspace:programme_create", kwargs={"org": "northern"}),
        {
            "name": "New",
            "level": "beginner",
            "delivery": "online",
            "duration_value": "2",
            "duration_unit": "hours",
        },
    )
    assert response.status_code == 403
    assert (
        b"Your role (Trainer) cannot change programmes in Northern HSC Trust." in response.content
    )
    assert not workspace.organisation.programmes.filter(name="New").exists()


@pytest.mark.parametrize("action", ["collection_open", "collection_close"])
def test_viewer_can_neither_open_nor_close(workspace: Any, action: str) -> None:
    client = Client()
    client.force_login(workspace.users["viewer"])
    for collection in (workspace.pre, workspace.post):
        url = reverse(
            f"workspace:{action}", kwargs={"org": "northern", "collection": collection.pk}
        )
        assert client.post(url).status_code == 403
    workspace.pre.refresh_from_db()
    workspace.post.refresh_from_db()
    assert (workspace.pre.is_open, workspace.post.is_open) == (True, False)
