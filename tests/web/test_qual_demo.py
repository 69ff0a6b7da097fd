"""The demo workspace holds focus groups: cohort S1's two after its course (seed 000's design) and
the network group's (seed 002's), coded, reviewed and linked to the cohort's findings."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import client_as
from django.urls import reverse
from django.utils import timezone

from imheval.qualitative.model import Level
from imheval.web.qualitative.demo_studies import (
    COHORT_FOCUS_GROUPS,
    COHORT_STUDY,
    KNOWLEDGE,
    NETWORK_FOCUS_GROUP_STUDY,
    NETWORK_STUDY,
    SELF_EFFICACY,
    DemoStudy,
)
from imheval.web.qualitative.models import (
    CodeChange,
    Coding,
    FindingLink,
    Review,
    Study,
    Turn,
)

pytestmark = pytest.mark.django_db

PASSWORD = "a demo password for tests"


@pytest.fixture
def demo() -> Any:
    from imheval.web.demo import load_demo

    return load_demo(password=PASSWORD)


def _study(demo: Any, name: str) -> Study:
    return Study.objects.in_organisation(demo.organisation).get(name=name)


def _names(study: Study, level: str) -> list[str]:
    return list(
        study.codes.filter(level=level).order_by("position", "pk").values_list("name", flat=True)
    )


def _final_name(spec: DemoStudy, name: str) -> str:
    """The name a codebook row has after the analyst's and the reviewer's renames."""
    renames = dict(spec.renames) | {
        r.code: r.proposed_name for r in spec.reviews if r.proposed_name
    }
    while name in renames:
        name = renames[name]
    return name


def test_the_cohort_study_holds_two_focus_groups_with_eight_speakers_and_four_themes(
    demo: Any,
) -> None:
    study = _study(demo, COHORT_STUDY)
    assert study.cohort is not None and study.cohort.name == "S1"
    assert study.approach == "reflexive"
    sources = list(study.sources.order_by("held_on"))
    assert [s.name for s in sources] == ["Focus group 1", "Focus group 2"]
    assert [s.origin for s in sources] == ["focus-group-1.txt", "focus-group-2.txt"]
    assert study.cohort.end_date is not None
    assert (sources[0].held_on - study.cohort.end_date).days == 42  # six weeks after the course
    words = sum(len(s.text.split()) for s in sources)
    assert 1_200 <= words <= 2_000
    # the service named in the raw transcript was replaced on import
    assert "Riverside" not in sources[0].text and "[family centre]" in sources[0].text
    speakers = {s.label: s.attributes for s in study.speakers.all()}
    assert sorted(speakers) == ["Facilitator"] + [f"PX{n}" for n in range(1, 9)]
    assert speakers["PX1"]["profession"] == "Health visitor"
    assert speakers["PX2"]["profession"] == "Social worker"
    assert speakers["PX7"]["profession"] == "Speech and language therapist"
    # PX1 to PX4 spoke in the first group, PX5 to PX8 in the second
    first = set(Turn.objects.filter(source=sources[0]).values_list("speaker__label", flat=True))
    assert first == {"Facilitator", "PX1", "PX2", "PX3", "PX4"}
    assert _names(study, Level.THEME) == [
        "Light bulb moments: seeing the infant",
        "Growing confidence in practice",
        "Working across agencies",
        "Barriers to using the learning",
    ]
    assert study.codes.filter(level=Level.SUBTHEME).count() == 8
    assert study.codes.filter(level=Level.CODE).count() == 14
    assert not study.codes.filter(definition="").exists()
    assert study.codes.get(name="Light bulb moment").parent.name == (
        "Understanding the infant's brain and emotions"
    )


@pytest.mark.parametrize("spec", [COHORT_FOCUS_GROUPS, NETWORK_FOCUS_GROUP_STUDY])
def test_every_demo_coding_holds_the_words_it_was_given(demo: Any, spec: DemoStudy) -> None:
    study = _study(demo, spec.name)
    codings = list(
        Coding.objects.filter(source__study=study).select_related("source", "code", "coder")
    )
    assert len(codings) == len(spec.quotes)
    held = {
        (c.source.name, c.source.text[c.start : c.end], c.code.name, c.exemplar) for c in codings
    }
    wanted = {
        (
            spec.transcripts[q.source][0],
            q.words,
            _final_name(spec, q.code),
            q.exemplar,
        )
        for q in spec.quotes
    }
    assert held == wanted
    assert {c.coder.user for c in codings} == {
        demo.organisation.memberships.get(role="evaluator").user
    }


def test_the_light_bulb_quote_lies_in_px1s_turn_of_the_first_group(demo: Any) -> None:
    study = _study(demo, COHORT_STUDY)
    coding = Coding.objects.get(source__study=study, code__name="Light bulb moment", exemplar=True)
    text = coding.source.text
    assert text[coding.start : coding.end].endswith("it was like someone switched a light bulb on")
    turn = Turn.objects.get(source=coding.source, start__lte=coding.start, end__gte=coding.end)
    assert turn.speaker.label == "PX1"
    assert text[turn.start : turn.start + 32] == "For me it was the brain developm"


def test_the_cohort_study_has_its_method_review_log_and_codebook_history(demo: Any) -> None:
    study = _study(demo, COHORT_STUDY)
    evaluator = demo.organisation.memberships.get(role="evaluator").user
    reviewer = demo.organisation.memberships.get(role="reviewer").user
    assert reviewer.username == demo.reviewer == "demo-reviewer"
    assert study.reflexivity.startswith("I am an evaluator in the Trust's training team")
    phases = list(study.phases.all())
    assert [p.phase for p in phases] == [1, 2, 3, 4, 5, 6]
    assert all(p.author == evaluator for p in phases)
    last_group = max(s.held_on for s in study.sources.all())
    assert phases[0].date > last_group
    assert [b.date for b in phases] == sorted(b.date for b in phases)

    reviews = list(Review.objects.filter(study=study).select_related("code", "coding"))
    assert [(r.decision, r.code.name) for r in reviews] == [
        ("accept", "Growing confidence in practice"),
        ("comment", "A shared model across professions"),
        ("propose", "Light bulb moments: seeing the infant"),
        ("accept", "Barriers to using the learning"),
    ]
    assert {r.reviewer for r in reviews} == {reviewer}
    comment, proposal = reviews[1], reviews[2]
    assert comment.coding is not None
    quoted = comment.coding.source.text[comment.coding.start : comment.coding.end]
    assert quoted.startswith("I could write in the referral exactly what I was seeing")
    assert comment.response.startswith("Kept here") and comment.responded_by == evaluator
    assert proposal.proposed_name == "Light bulb moments: seeing the infant"
    assert proposal.response == "Agreed; renamed." and proposal.responded_by == evaluator

    renames = list(
        CodeChange.objects.filter(code__study=study, kind="renamed").values_list(
            "before", "after", "changed_by__username"
        )
    )
    assert renames == [
        ("Confidence", "Growing confidence in practice", "demo-evaluator"),
        (
            "New knowledge about infant mental health",
            "Light bulb moments: seeing the infant",
            "demo-evaluator",
        ),
    ]
    assert study.memos.get().code.name == "Barriers to using the learning"

    page = client_as(reviewer).get(
        reverse("qualitative:review_log", kwargs={"org": "demo", "study": study.pk})
    )
    assert page.status_code == 200
    text = page.content.decode()
    assert "Light bulb moments: seeing the infant" in text and "Kept here" in text


def test_joint_links_name_findings_of_the_cohorts_evaluation(demo: Any) -> None:
    from imheval.web.qualitative.outputs import scope_findings, section_for

    study = _study(demo, COHORT_STUDY)
    findings = scope_findings(study)
    assert not isinstance(findings, str), findings
    keys = {finding.key for finding in findings}
    links = list(FindingLink.objects.filter(study=study).select_related("coding__source"))
    assert {link.finding for link in links} == {KNOWLEDGE, SELF_EFFICACY} <= keys
    assert sum(link.finding == KNOWLEDGE for link in links) == 2
    assert sum(link.finding == SELF_EFFICACY for link in links) == 3

    joint = section_for(study, findings).joint
    assert joint.unmatched == ()
    rows = {row.key: row for row in joint.rows}
    knowledge = rows[KNOWLEDGE]
    assert knowledge.sentence.startswith("Knowledge rose from")
    assert "switched a light bulb on" in knowledge.quotes[0].text
    assert knowledge.quotes[0].attribution == "PX1"
    assert rows[SELF_EFFICACY].sentence.startswith("Self-efficacy rose")


def test_the_cohorts_report_and_pages_show_the_focus_groups(demo: Any) -> None:
    from imheval.web.qualitative.outputs import evaluation_sections
    from imheval.web.results.analysis import Scope, analyse

    study = _study(demo, COHORT_STUDY)
    scope = Scope.of(demo.organisation, study.cohort)
    sections = evaluation_sections(scope, analyse(scope, deeper=False).evaluation)
    assert [section.study for section in sections] == [COHORT_STUDY]
    assert [row.name for row in sections[0].table3][:2] == [
        "Light bulb moments: seeing the infant",
        "Understanding the infant's brain and emotions",
    ]
    client = client_as(demo.organisation.memberships.get(role="evaluator").user)
    kwargs = {"org": "demo", "study": study.pk}
    outputs = client.get(reverse("qualitative:outputs", kwargs=kwargs))
    assert outputs.status_code == 200
    assert "switched a light bulb on" in outputs.content.decode()
    source = study.sources.get(name="Focus group 1")
    coding = client.get(reverse("qualitative:coding", kwargs={**kwargs, "source": source.pk}))
    assert coding.status_code == 200
    assert "Containment was the word that stuck." in coding.content.decode()


def test_the_network_study_has_seed_002s_themes_and_is_in_the_group_report(demo: Any) -> None:
    from imheval.web.network.models import NetworkGroup
    from imheval.web.network.outputs import build_group_report

    study = _study(demo, NETWORK_STUDY)
    group = NetworkGroup.objects.get(organisation=demo.organisation)
    assert study.network_group == group
    source = study.sources.get()
    assert 800 <= len(source.text.split()) <= 1_200
    assert source.held_on in set(group.meetings.values_list("date", flat=True))
    assert source.held_on < timezone.localdate()
    labels = sorted(study.speakers.values_list("label", flat=True))
    assert labels == ["Facilitator"] + [f"PX{n}" for n in range(1, 8)]
    themes = list(study.codes.filter(level=Level.THEME).order_by("position"))
    assert [theme.name for theme in themes][-1] == (
        "Barriers to carrying out the work of the network group"
    )
    assert [theme.children.count() for theme in themes] == [3, 4, 3, 3]
    assert CodeChange.objects.get(code=themes[-1], kind="renamed").before == (
        "Evaluating and re-defining the focus of the network group"
    )
    assert study.phases.count() == 6
    assert max(study.phases.values_list("date", flat=True)) < timezone.localdate()

    report = build_group_report(group, timezone.localdate())
    titles = [section.title for section in report.sections]
    assert f"Focus group: {NETWORK_STUDY}" in titles


def test_both_demo_accounts_sign_in(client: Any, demo: Any) -> None:
    for username in ("demo-evaluator", demo.reviewer):
        client.logout()
        response = client.post("/sign-in/", {"username": username, "password": PASSWORD})
        assert response.status_code == 302
    roles = dict(demo.organisation.memberships.values_list("user__username", "role"))
    assert roles == {"demo-evaluator": "evaluator", "demo-reviewer": "reviewer"}
