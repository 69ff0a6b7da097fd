"""Open-text answers as qualitative sources: the study's open questions with answer counts, one
source per question and timepoint, a turn per answer by an anonymous respondent label, names
replaced, the small-group rule, roles and tenancy."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from conftest import Workspace, client_as
from qual_data import add_member, make_source, make_study, url
from test_capture_open_text import reflection_collection
from test_results_pages import respond

from imheval.web.organisations.models import AuditEvent
from imheval.web.qualitative.answers import next_respondent_number
from imheval.web.qualitative.models import Source, SourceKind, Speaker, Turn

pytestmark = pytest.mark.django_db

#: (code, answer to "learned") of six people at the post-training questionnaire.
LEARNED = [
    ("AA01AA", "Serve and return"),
    ("BB02BB", "Naming the feeling, as Sarah showed us"),
    ("CC03CC", "  "),  # blank: not an answer
    ("DD04DD", "Containment"),
    ("EE05EE", "Time to think\r\nabout the baby"),
    ("FF06FF", "Reading cues"),
    ("GG07GG", "Sarah's videos at St Mary's"),
]


@pytest.fixture
def answered(workspace: Workspace) -> Any:
    """The post-training reflection questionnaire with six answers to ``learned`` and two to
    ``RK1why``, and a draft (never counted) with an answer."""
    collection = reflection_collection(workspace)
    for code, text in LEARNED:
        respond(collection, code, {"RK1": "b", "learned": text})
    respond(collection, "HH08HH", {"RK1why": "A guess"})
    respond(collection, "II09II", {"RK1why": "Because", "learned": "Draft"}, status="draft")
    return collection


@pytest.fixture
def study(workspace: Workspace) -> Any:
    return make_study(workspace.organisation, scope=workspace.cohort)


def _page(user: Any, study: Any) -> str:
    response = client_as(user).get(url("answers", study=study))
    assert response.status_code == 200
    return str(response.content.decode())


def test_the_page_lists_open_questions_with_counts_hiding_small_ones(
    workspace: Workspace, study: Any, answered: Any
) -> None:
    page = _page(workspace.users["viewer"], study)

    assert "What is the most useful thing you learned?" in page
    assert "At the end of the training" in page
    assert ">6</td>" in page  # six answers to "learned" (a blank and a draft not counted)
    assert ">fewer than 5</td>" in page  # two answers to RK1why
    assert "Add the answers as a source" not in page  # a viewer cannot add


def test_adding_makes_one_source_with_a_turn_per_answer_by_respondent_labels(
    workspace: Workspace, study: Any, answered: Any
) -> None:
    client = client_as(workspace.users["evaluator"])

    response = client.post(
        url("answers", study=study),
        {"question": "post/learned", "names": "Sarah = [trainer]\nSt Mary's = [service]"},
    )

    source = Source.objects.get(study=study)
    assert response.status_code == 302
    assert response["Location"] == url("source", study=study, source=source)
    assert source.kind == SourceKind.OPEN_ANSWERS
    assert source.name == "learned: answers at the end of the training"
    assert source.origin == "questionnaire answers: post/learned"
    turns = list(Turn.objects.filter(source=source).select_related("speaker"))
    labels = [turn.speaker.label for turn in turns]
    assert labels == [f"Answer R{n}" for n in range(1, 7)]
    spoken = sorted(source.text[turn.start : turn.end] for turn in turns)
    assert spoken == [
        "Containment",
        "Naming the feeling, as [trainer] showed us",
        "Reading cues",
        "Serve and return",
        "Time to think\nabout the baby",
        "[trainer]'s videos at [service]",
    ]
    assert source.text.count("\n\n") == 5
    assert all(f"{turn.speaker.label}: " in source.text for turn in turns)
    assert source.text.startswith("Answer R1: ")


def test_no_code_and_no_listed_name_is_in_the_source_or_the_audit_log(
    workspace: Workspace, study: Any, answered: Any
) -> None:
    client_as(workspace.users["evaluator"]).post(
        url("answers", study=study), {"question": "post/learned", "names": "Sarah = [trainer]"}
    )

    source = Source.objects.get(study=study)
    stored = " ".join(
        [
            source.text,
            source.name,
            source.origin,
            *Speaker.objects.filter(study=study).values_list("label", flat=True),
            *(str(event.changes) for event in AuditEvent.objects.all()),
        ]
    )
    for code, _ in LEARNED:
        assert code not in stored
    assert "Sarah" not in stored


def test_the_order_follows_neither_the_codes_nor_arrival_and_is_the_same_each_time(
    workspace: Workspace, study: Any, answered: Any
) -> None:
    other = make_study(workspace.organisation, scope=workspace.cohort, name="Second look")
    evaluator = client_as(workspace.users["evaluator"])
    for target in (study, other):
        evaluator.post(url("answers", study=target), {"question": "post/learned"})

    first, second = (Source.objects.get(study=target) for target in (study, other))

    assert first.text == second.text
    arrival = [text.strip().replace("\r\n", "\n") for _, text in LEARNED if text.strip()]
    in_source = [first.text[t.start : t.end] for t in Turn.objects.filter(source=first)]
    assert sorted(in_source) == sorted(arrival)
    assert in_source != arrival


def test_respondent_labels_go_on_from_the_studys_highest(
    workspace: Workspace, study: Any, answered: Any
) -> None:
    make_source(study, "R7: an interview answer\nFacilitator: thanks\n", name="Interview")

    assert next_respondent_number(study) == 8
    client_as(workspace.users["evaluator"]).post(
        url("answers", study=study), {"question": "post/learned"}
    )

    added = Source.objects.get(study=study, kind=SourceKind.OPEN_ANSWERS)
    labels = list(
        Turn.objects.filter(source=added).values_list("speaker__label", flat=True).order_by("start")
    )
    assert labels == [f"Answer R{n}" for n in range(8, 14)]


def test_fewer_answers_than_the_small_group_minimum_are_refused(
    workspace: Workspace, study: Any, answered: Any
) -> None:
    response = client_as(workspace.users["evaluator"]).post(
        url("answers", study=study), {"question": "post/RK1why"}
    )

    assert response.status_code == 200
    assert "Fewer than 5 people have answered this question" in response.content.decode()
    assert not Source.objects.filter(study=study).exists()


def test_answers_already_added_are_linked_and_not_offered_again(
    workspace: Workspace, study: Any, answered: Any
) -> None:
    client = client_as(workspace.users["evaluator"])
    client.post(url("answers", study=study), {"question": "post/learned"})

    again = client.post(url("answers", study=study), {"question": "post/learned"})
    page = _page(workspace.users["evaluator"], study)

    assert again.status_code == 200
    assert "Choose one of the questions listed" in again.content.decode()
    assert Source.objects.filter(study=study).count() == 1
    assert 'value="post/learned"' not in page
    assert ">learned: answers at the end of the training</a>" in page


def test_a_bad_names_list_is_refused_naming_the_line(
    workspace: Workspace, study: Any, answered: Any
) -> None:
    response = client_as(workspace.users["evaluator"]).post(
        url("answers", study=study), {"question": "post/learned", "names": "Sarah\n"}
    )

    assert response.status_code == 200
    assert "line 1: write a name, &#x27;=&#x27; and its label" in response.content.decode()
    assert not Source.objects.filter(study=study).exists()


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("admin", True),
        ("evaluator", True),
        ("analyst", True),
        ("reviewer", False),
        ("trainer", False),
        ("viewer", False),
    ],
)
def test_only_analysts_evaluators_and_admins_add_answers(
    workspace: Workspace, study: Any, answered: Any, role: str, allowed: bool
) -> None:
    user = workspace.users.get(role) or add_member(workspace.organisation, role)

    response = client_as(user).post(url("answers", study=study), {"question": "post/learned"})

    assert response.status_code == (302 if allowed else 403)
    assert Source.objects.filter(study=study).exists() is allowed


def test_another_organisations_member_gets_404(
    workspace: Workspace, study: Any, answered: Any
) -> None:
    outsider = client_as(workspace.outsider)

    assert outsider.get(url("answers", study=study)).status_code == 404
    post = outsider.post(url("answers", study=study), {"question": "post/learned"})
    assert post.status_code == 404
    assert not Source.objects.exists()


def test_a_study_sees_only_its_own_scopes_questionnaires(
    workspace: Workspace, answered: Any
) -> None:
    other_study = make_study(
        workspace.other_organisation, scope=workspace.other_cohort, name="Theirs"
    )
    mine = make_study(workspace.organisation, scope=workspace.programme)

    theirs = client_as(workspace.outsider).get(
        url("answers", study=other_study).replace("/northern/", "/southern/")
    )
    page = _page(workspace.users["viewer"], mine)

    assert theirs.status_code == 200
    assert "What is the most useful thing you learned?" not in theirs.content.decode()
    assert "What is the most useful thing you learned?" in page  # the programme's cohort


def test_a_network_group_study_says_there_are_no_questionnaires(workspace: Workspace) -> None:
    from imheval.web.network.models import NetworkGroup

    group = NetworkGroup.objects.create(
        organisation=workspace.organisation,
        name="North IMH",
        year_start=datetime.date(2026, 9, 1),
    )
    study = make_study(workspace.organisation, scope=group)

    page = _page(workspace.users["viewer"], study)

    assert "A network group's study has no questionnaires of its own" in page


def test_a_transcript_speaker_called_r3_is_not_the_answers_respondent_r3(
    workspace: Workspace, study: Any, answered: Any
) -> None:
    client_as(workspace.users["evaluator"]).post(
        url("answers", study=study), {"question": "post/learned"}
    )
    interview = make_source(study, "R3: I liked the videos\nFacilitator: thanks\n", name="R3")

    added = Source.objects.get(study=study, kind=SourceKind.OPEN_ANSWERS)
    answer_speakers = set(Turn.objects.filter(source=added).values_list("speaker", flat=True))
    interview_speakers = set(
        Turn.objects.filter(source=interview).values_list("speaker__label", flat=True)
    )
    assert interview_speakers == {"R3", "Facilitator"}
    assert Speaker.objects.get(study=study, label="R3").pk not in answer_speakers
    assert Speaker.objects.filter(study=study, label="Answer R3").exists()
    # a later question's respondents go on from the highest label of either kind
    assert next_respondent_number(study) == 7
