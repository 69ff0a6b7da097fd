"""imh-practice-followup in the web app: a follow-up questionnaire asks it, and its open
question's answers reach a qualitative study like any other open question."""

from __future__ import annotations

import pytest
from conftest import Workspace, client_as
from qual_data import make_study, url
from test_results_pages import client_for, matched_people, respond
from test_results_refresh import org_url

from imheval.instruments import get_builtin
from imheval.web.qualitative.models import Source, SourceKind, Turn
from imheval.web.workspace.models import Collection

pytestmark = pytest.mark.django_db

CHANGES = [
    "I ask every mother how she and the baby are getting on",
    "I wrote the baby's experience into a court report",
    "I consulted the perinatal team about a father",
    "I raised a baby at our team meeting",
    "I use serve and return with parents",
    "I referred a family to the infant mental health service",
]


@pytest.fixture
def followup(workspace: Workspace) -> Collection:
    collection = Collection.objects.get(cohort=workspace.cohort, timepoint="followup")
    collection.instrument_refs = ["imh-practice-followup"]
    collection.instrument_versions = {"imh-practice-followup": "1.0.0"}
    collection.save()
    collection.open()
    practice = {item.id: "2" for item in get_builtin("imh-practice-followup").items}
    for n, text in enumerate(CHANGES):
        respond(collection, f"FU{n:02d}XY", {**practice, "PF_CHANGE": text})
    return collection


def test_the_example_of_a_change_can_be_coded_in_a_qualitative_study(
    workspace: Workspace, followup: Collection
) -> None:
    study = make_study(workspace.organisation, scope=workspace.cohort)
    page = client_as(workspace.users["viewer"]).get(url("answers", study=study))
    text = page.content.decode()
    assert "an example of a change in your practice" in text
    assert ">6</td>" in text

    # a follow-up question's key names the weeks after training (the fixture's is 12)
    response = client_as(workspace.users["evaluator"]).post(
        url("answers", study=study), {"question": "followup-12/PF_CHANGE", "names": ""}
    )

    assert response.status_code == 302
    source = Source.objects.get(study=study)
    assert source.kind == SourceKind.OPEN_ANSWERS
    assert source.origin == "questionnaire answers: followup-12/PF_CHANGE"
    spoken = sorted(source.text[t.start : t.end] for t in Turn.objects.filter(source=source))
    assert spoken == sorted(CHANGES)


def test_the_results_page_shows_practice_under_3a_and_who_answered_at_followup(
    workspace: Workspace,
) -> None:
    codes = matched_people(workspace, 12)
    collection = Collection.objects.get(cohort=workspace.cohort, timepoint="followup")
    collection.instrument_refs = ["imh-practice-followup"]
    collection.instrument_versions = {"imh-practice-followup": "1.0.0"}
    collection.save()
    collection.open()
    for n, code in enumerate(codes[:6]):
        practice = {f"PF{i}": str((n + i) % 5) for i in range(1, 8)}
        enablers = {f"EN{i}": str(1 + (n + i) % 5) for i in range(1, 5)}
        respond(collection, code, {**practice, **enablers, "PF_CHANGE": CHANGES[n]})

    page = client_for(workspace.users["viewer"]).get(org_url()).content.decode()

    assert (
        'Level 3: Behaviour<span class="imheval-summary-line">Infant mental health in practice '
        "(last month) (3a) and What helped or hindered using the training (3a)</span>"
    ) in page
    assert (
        '<h3 class="nhsuk-heading-s imheval-report-group">Level 3a: Behaviour, self-reported'
        in (page)
    )
    assert "Not measured at this level: 3b observed behaviour." in page
    assert "Who answered at follow-up" in page
    assert "(asked once, at follow-up): 6 people answered" in page
    assert "Levels of evaluation. Measured: level 2 learning and 3a self-reported behaviour." in (
        page
    )
