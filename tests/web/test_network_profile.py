"""The member profile in the web app: the group's profile page (open and close the
questionnaire, its link and QR code, the table, merged categories) and the public pages
/p/<token>/ (consent, one page of questions, thanks; closed, unknown and throttled links)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from conftest import client_as
from django.test import override_settings
from django.urls import reverse

from imheval.web.network.models import NetworkGroup, ProfileAnswer, ProfileSurvey
from imheval.web.organisations.models import AuditEvent, Membership

pytestmark = pytest.mark.django_db


@pytest.fixture
def group(workspace: Any) -> NetworkGroup:
    return NetworkGroup.objects.create(
        organisation=workspace.organisation,
        name="Perinatal IMH network group",
        year_start=datetime.date(2025, 9, 1),
    )


def _url(name: str, group: NetworkGroup) -> str:
    return reverse(f"network:{name}", kwargs={"org": group.organisation.slug, "group": group.pk})


def _open(workspace: Any, group: NetworkGroup) -> ProfileSurvey:
    response = client_as(workspace.users["evaluator"]).post(_url("profile_open", group))
    assert response.status_code == 302
    return ProfileSurvey.objects.get(group=group)


def _answer(client: Any, survey: ProfileSurvey, answers: dict[str, Any]) -> Any:
    start = reverse("network:profile_start", kwargs={"token": survey.token})
    assert client.post(start, {"consent": "yes"}).status_code == 302
    questions = reverse("network:profile_questions", kwargs={"token": survey.token})
    return client.post(questions, answers)


def test_an_evaluator_opens_the_questionnaire_and_sees_its_link_and_qr(
    workspace: Any, group: NetworkGroup
) -> None:
    survey = _open(workspace, group)
    assert survey.is_open and survey.instrument_ref == "imh-network-profile@1.0.0"
    page = client_as(workspace.users["viewer"]).get(_url("profile", group))
    assert page.status_code == 200
    html = page.content.decode()
    assert f"/p/{survey.token}/" in html
    assert "Open</strong>" in html or "nhsuk-tag--green" in html
    # A viewer reads, and is offered no button to change anything.
    assert _url("profile_close", group) not in html
    assert _url("profile_merge", group) not in html
    svg = client_as(workspace.users["viewer"]).get(_url("profile_qr_svg", group))
    assert svg.status_code == 200 and svg["Content-Type"] == "image/svg+xml"
    png = client_as(workspace.users["viewer"]).get(_url("profile_qr_png", group) + "?download=1")
    assert png.content[:8] == b"\x89PNG\r\n\x1a\n"
    assert (
        png["Content-Disposition"]
        == 'attachment; filename="qr-profile-perinatal-imh-network-group.png"'
    )


def test_viewers_and_trainers_cannot_open_close_or_merge_but_a_facilitator_can(
    workspace: Any, group: NetworkGroup
) -> None:
    for role in ("viewer", "trainer"):
        client = client_as(workspace.users[role])
        assert client.post(_url("profile_open", group)).status_code == 403
        assert client.get(_url("profile_merge", group)).status_code == 403
    assert not ProfileSurvey.objects.filter(group=group).exists()
    group.facilitators.add(Membership.objects.get(user=workspace.users["trainer"]))
    trainer = client_as(workspace.users["trainer"])
    assert trainer.post(_url("profile_open", group)).status_code == 302
    assert trainer.post(_url("profile_close", group)).status_code == 302
    assert not ProfileSurvey.objects.get(group=group).is_open
    assert trainer.get(_url("profile_merge", group)).status_code == 200


def test_the_pages_refuse_other_methods(workspace: Any, group: NetworkGroup) -> None:
    client = client_as(workspace.users["admin"])
    assert client.get(_url("profile_open", group)).status_code == 405
    assert client.post(_url("profile", group)).status_code == 405


def test_a_member_answers_anonymously_in_three_pages(workspace: Any, group: NetworkGroup) -> None:
    survey = _open(workspace, group)
    events = AuditEvent.objects.count()
    client = client_as()
    start = client.get(reverse("network:profile_start", kwargs={"token": survey.token}))
    assert start.status_code == 200
    assert "we do not record your IP address" in start.content.decode()
    assert "never linked to the group" in start.content.decode()
    response = _answer(
        client,
        survey,
        {
            "age_band": "35_to_44",
            "discipline": "psychology",
            "years_in_service": "5.5",
            "experience_ages": ["age_0_3", "age_7_12"],
            "role_0_3": "yes",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("network:profile_thanks", kwargs={"token": survey.token})
    (answer,) = ProfileAnswer.objects.filter(survey=survey)
    assert answer.answers == {
        "age_band": "35_to_44",
        "discipline": "psychology",
        "years_in_service": 5.5,
        "experience_ages": ["age_0_3", "age_7_12"],
        "role_0_3": "yes",
    }
    assert answer.submitted_on == datetime.date.today()
    # No audit entry either: it would time each answer to the second.
    assert AuditEvent.objects.count() == events
    # Consent is used up: the next person on this phone starts again.
    questions = reverse("network:profile_questions", kwargs={"token": survey.token})
    assert client.get(questions)["Location"].endswith(f"/p/{survey.token}/")
    thanks = client.get(reverse("network:profile_thanks", kwargs={"token": survey.token}))
    assert "Your answers have been saved" in thanks.content.decode()


def test_the_questions_page_needs_consent_first(workspace: Any, group: NetworkGroup) -> None:
    survey = _open(workspace, group)
    client = client_as()
    questions = reverse("network:profile_questions", kwargs={"token": survey.token})
    assert client.post(questions, {"age_band": "35_to_44"}).status_code == 302
    refused = client.post(reverse("network:profile_start", kwargs={"token": survey.token}), {})
    assert refused.status_code == 400
    assert "Tick the box to say you agree to take part" in refused.content.decode()
    assert not ProfileAnswer.objects.exists()


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        (
            {"years_in_service": "lots"},
            "Enter a number from 0 to 50 years, or leave the question out",
        ),
        ({"years_in_service": "60"}, "Enter a number from 0 to 50 years"),
        (
            {"experience_ages": ["none", "age_0_3"]},
            "&#x27;None of these&#x27; cannot be ticked with another answer",
        ),
        ({"discipline": "astrology"}, "Choose one answer (discipline)"),
    ],
)
def test_a_wrong_answer_is_shown_again_with_a_plain_message_and_nothing_is_saved(
    workspace: Any, group: NetworkGroup, answers: dict[str, Any], message: str
) -> None:
    survey = _open(workspace, group)
    response = _answer(client_as(), survey, {"age_band": "25_to_34", **answers})
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html and message in html
    assert 'value="25_to_34" checked' in html  # what was given stays
    assert not ProfileAnswer.objects.exists()


def test_an_empty_answer_is_allowed(workspace: Any, group: NetworkGroup) -> None:
    survey = _open(workspace, group)
    assert _answer(client_as(), survey, {}).status_code == 302
    assert ProfileAnswer.objects.get().answers == {}


def test_a_closed_or_unknown_link_says_so_plainly(workspace: Any, group: NetworkGroup) -> None:
    survey = _open(workspace, group)
    client_as(workspace.users["admin"]).post(_url("profile_close", group))
    closed = client_as().get(reverse("network:profile_start", kwargs={"token": survey.token}))
    assert closed.status_code == 410
    assert "This questionnaire is closed" in closed.content.decode()
    assert group.name not in closed.content.decode()
    unknown = client_as().get("/p/not-a-real-token/")
    assert unknown.status_code == 404
    assert "not recognised" in unknown.content.decode()
    assert client_as().get("/p/" + "x" * 200 + "/").status_code == 404
    # Reopening uses the same link.
    client_as(workspace.users["admin"]).post(_url("profile_open", group))
    assert client_as().get(f"/p/{survey.token}/").status_code == 200
    assert ProfileSurvey.objects.filter(group=group).count() == 1


@override_settings(IMHEVAL_PROFILE_STARTS_PER_SESSION=2)
def test_one_browser_starting_again_and_again_is_asked_to_wait(
    workspace: Any, group: NetworkGroup
) -> None:
    survey = _open(workspace, group)
    client = client_as()
    start = reverse("network:profile_start", kwargs={"token": survey.token})
    assert [client.post(start, {"consent": "yes"}).status_code for _ in range(3)] == [302, 302, 429]
    refused = client.post(start, {"consent": "yes"})
    assert int(refused["Retry-After"]) > 0
    assert "several times in the last few minutes" in refused.content.decode()


@override_settings(IMHEVAL_PROFILE_ANSWERS_PER_LINK_PER_DAY=2)
def test_a_link_answered_too_often_in_a_day_is_paused(workspace: Any, group: NetworkGroup) -> None:
    survey = _open(workspace, group)
    ProfileAnswer.objects.bulk_create([ProfileAnswer(survey=survey, answers={}) for _ in range(2)])
    start = reverse("network:profile_start", kwargs={"token": survey.token})
    assert client_as().post(start, {"consent": "yes"}).status_code == 429


def test_the_profile_table_hides_small_groups_and_says_why(
    workspace: Any, group: NetworkGroup
) -> None:
    survey = _open(workspace, group)
    disciplines = ["psychology"] * 3 + ["psychiatry"] * 2 + ["nursing"] * 5 + ["social_work"]
    ProfileAnswer.objects.bulk_create(
        [ProfileAnswer(survey=survey, answers={"discipline": d}) for d in disciplines]
    )
    html = client_as(workspace.users["viewer"]).get(_url("profile", group)).content.decode()
    assert "11 people have answered" in html
    assert (
        "Discipline: 3 categories are hidden because fewer than 5 people gave that answer" in html
    )
    assert ">1<" not in html.replace(" ", "")


def test_merging_categories_is_saved_audited_and_shown(workspace: Any, group: NetworkGroup) -> None:
    survey = _open(workspace, group)
    disciplines = ["psychology"] * 3 + ["psychiatry"] * 2 + ["nursing"] * 6
    ProfileAnswer.objects.bulk_create(
        [ProfileAnswer(survey=survey, answers={"discipline": d}) for d in disciplines]
    )
    client = client_as(workspace.users["evaluator"])
    events = AuditEvent.objects.count()
    response = client.post(
        _url("profile_merge", group),
        {
            "question": "discipline",
            "label": "Psychology and psychiatry",
            "codes": ["psychology", "psychiatry"],
        },
    )
    assert response.status_code == 302
    group.refresh_from_db()
    assert group.profile_collapse == {
        "discipline": {"Psychology and psychiatry": ["psychology", "psychiatry"]}
    }
    event = AuditEvent.objects.order_by("-pk").first()
    assert AuditEvent.objects.count() == events + 1
    assert event is not None and "profile_collapse" in event.changes
    html = client.get(_url("profile", group)).content.decode()
    assert "Psychology and psychiatry (merged)" in html
    assert "Nothing is hidden" in html
    undo = client.post(
        _url("profile_merge", group),
        {"question": "discipline", "undo": "Psychology and psychiatry"},
    )
    assert undo.status_code == 302
    group.refresh_from_db()
    assert group.profile_collapse == {}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"question": "discipline", "label": "One", "codes": ["psychology"]},
            "&#x27;One&#x27; needs at least two categories",
        ),
        (
            {"question": "discipline", "label": "", "codes": ["psychology", "nursing"]},
            "Enter a name for the merged category",
        ),
        ({"question": "discipline", "label": "Both"}, "Tick at least two categories to merge"),
        (
            {"question": "discipline", "label": "X", "codes": ["psychology", "astrology"]},
            "Select a valid choice",
        ),
        (
            {"question": "years_in_service", "label": "X", "codes": ["1", "2"]},
            "Select a valid choice",
        ),
    ],
)
def test_a_merge_that_does_not_fit_is_refused_with_a_reason(
    workspace: Any, group: NetworkGroup, data: dict[str, Any], message: str
) -> None:
    _open(workspace, group)
    response = client_as(workspace.users["admin"]).post(_url("profile_merge", group), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html and message in html
    group.refresh_from_db()
    assert group.profile_collapse == {}


def test_a_page_for_a_group_with_no_questionnaire_yet(workspace: Any, group: NetworkGroup) -> None:
    page = client_as(workspace.users["admin"]).get(_url("profile", group))
    assert page.status_code == 200
    assert "has not been opened for this group yet" in page.content.decode()
    qr = client_as(workspace.users["admin"]).get(_url("profile_qr_svg", group))
    assert (qr.status_code, qr["Location"]) == (302, _url("profile", group))
    group_page = client_as(workspace.users["viewer"]).get(_url("group", group)).content.decode()
    assert _url("profile", group) in group_page


def test_another_organisation_sees_nothing(workspace: Any, group: NetworkGroup) -> None:
    _open(workspace, group)
    outsider = client_as(workspace.outsider)
    for name in ("profile", "profile_merge", "profile_qr_svg", "profile_qr_png"):
        assert outsider.get(_url(name, group)).status_code == 404
    for name in ("profile_open", "profile_close", "profile_merge"):
        assert outsider.post(_url(name, group)).status_code == 404


def test_months_of_membership_come_from_the_register(workspace: Any, group: NetworkGroup) -> None:
    from imheval.web.network.models import Member, MembershipPeriod

    today = datetime.date.today()
    index = today.year * 12 + today.month - 1 - 6
    joined = datetime.date(index // 12, index % 12 + 1, 1)  # the 1st, six months ago
    for number in range(5):
        member = Member.objects.create(group=group, name=f"Member {number}")
        MembershipPeriod.objects.create(member=member, joined=joined)
    html = client_as(workspace.users["viewer"]).get(_url("profile", group)).content.decode()
    assert "Months of membership (from the register)" in html
    assert "6.00 (6 to 6)" in html
    # The group report's profile section carries the same row once anyone has answered.
    survey = _open(workspace, group)
    ProfileAnswer.objects.create(survey=survey, answers={"age_band": "35_to_44"})
    report = client_as(workspace.users["viewer"]).get(_url("group_report", group) + "?format=html")
    assert report.status_code == 200
    assert "Months of membership (from the register)" in report.content.decode()
    assert "6.00 (6 to 6)" in report.content.decode()
