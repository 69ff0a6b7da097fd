"""The second reviewer: reading themes with their quotes, deciding, the analyst's answer, a
proposed rename applied to the codebook (and kept in its history), and the review log."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import client_as
from qual_data import (
    FOCUS_GROUP,
    add_member,
    make_codebook,
    make_coder,
    make_coding,
    make_source,
    make_study,
    url,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewed(workspace: Any) -> dict[str, Any]:
    study = make_study(workspace.organisation, workspace.cohort)
    source = make_source(study, FOCUS_GROUP)
    codes = make_codebook(study)
    analyst = add_member(workspace.organisation, "analyst")
    coder = make_coder(study, "Analyst A", user=analyst)
    light = make_coding(
        source, codes["light bulb"], coder, text="A light bulb moment", exemplar=True
    )
    make_coding(source, codes["never time"], coder, text="We never get time to think.")
    return {
        "study": study,
        "codes": codes,
        "analyst": analyst,
        "reviewer": add_member(workspace.organisation, "reviewer"),
        "light": light,
    }


def test_the_review_page_shows_each_theme_with_its_quotes(reviewed: dict[str, Any]) -> None:
    response = client_as(reviewed["reviewer"]).get(url("review", study=reviewed["study"]))
    assert response.status_code == 200
    page = response.content.decode()
    theme = reviewed["codes"]["theme"]
    assert "Time away from the ward to think." in page
    # the theme's card holds both quotes under it, the exemplar first, with the speaker label
    card = page[page.index(f'id="code-{theme.pk}"') :]
    card = card[: card.index("</section>")]
    assert card.index("A light bulb moment") < card.index("We never get time to think.")
    assert "(PX1, Focus group 1, exemplar)" in card
    assert "Supporting quotes (2)" in card


def test_a_reviewer_proposes_a_rename_and_the_analyst_applies_it(
    reviewed: dict[str, Any],
) -> None:
    from imheval.web.organisations.models import AuditEvent
    from imheval.web.qualitative.models import CodeChange, Review

    study, theme = reviewed["study"], reviewed["codes"]["theme"]
    reviewer = client_as(reviewed["reviewer"])
    response = reviewer.post(
        url("review_theme", study=study, code=theme),
        {
            "decision": "propose",
            "proposed_name": "Room to reflect",
            "comment": "The quotes are about time and room, not place.",
            "coding": "",
        },
    )
    assert response.status_code == 302
    decision = Review.objects.get()
    assert (decision.decision, decision.proposed_name, decision.reviewer) == (
        "propose",
        "Room to reflect",
        reviewed["reviewer"],
    )
    assert AuditEvent.objects.filter(object_type="review", action="created").count() == 1

    # a reviewer may not answer or apply their own proposal
    refused = reviewer.post(
        url("review_respond", study=study, review=decision),
        {"response": "Agreed", "apply": "on"},
    )
    assert refused.status_code == 403

    analyst = client_as(reviewed["analyst"])
    response = analyst.post(
        url("review_respond", study=study, review=decision),
        {"response": "Agreed; renamed.", "apply": "on"},
        follow=True,
    )
    assert "renamed Space to reflect to Room to reflect" in response.content.decode()
    theme.refresh_from_db()
    assert theme.name == "Room to reflect"
    rename = CodeChange.objects.get(code=theme, kind="renamed")
    assert (rename.before, rename.after, rename.changed_by) == (
        "Space to reflect",
        "Room to reflect",
        reviewed["analyst"],
    )
    decision.refresh_from_db()
    assert (decision.response, decision.responded_by) == ("Agreed; renamed.", reviewed["analyst"])

    log = analyst.get(url("review_log", study=study)).content.decode()
    assert "The quotes are about time and room, not place." in log
    assert "Agreed; renamed." in log
    changes = log[log.index('id="codebook-changes"') :]
    assert "<td>Space to reflect</td><td>Room to reflect</td>" in changes


def test_a_quote_decision_names_the_quote_in_the_log(reviewed: dict[str, Any]) -> None:
    study, sub = reviewed["study"], reviewed["codes"]["sense"]
    client = client_as(reviewed["reviewer"])
    client.post(
        url("review_theme", study=study, code=sub),
        {
            "decision": "comment",
            "comment": "Is this about the readings?",
            "coding": reviewed["light"].pk,
        },
    )
    log = client.get(url("review_log", study=study)).content.decode()
    assert "The quote <q>A light bulb moment</q>" in log
    assert "Making sense: Comment" in log


def test_a_comment_needs_words_and_a_proposal_needs_a_name_or_definition(
    reviewed: dict[str, Any],
) -> None:
    from imheval.web.qualitative.models import Review

    client = client_as(reviewed["reviewer"])
    address = url("review_theme", study=reviewed["study"], code=reviewed["codes"]["theme"])
    empty = client.post(address, {"decision": "comment", "comment": "  "})
    assert empty.status_code == 400
    assert "Write your comment" in empty.content.decode()
    bare = client.post(address, {"decision": "propose"})
    assert "Give the name or definition you propose" in bare.content.decode()
    assert not Review.objects.exists()


def test_viewers_read_but_do_not_review(workspace: Any, reviewed: dict[str, Any]) -> None:
    viewer = client_as(workspace.users["viewer"])
    address = url("review_theme", study=reviewed["study"], code=reviewed["codes"]["theme"])
    page = viewer.get(address)
    assert page.status_code == 200
    assert "Save your decision" not in page.content.decode()
    assert viewer.post(address, {"decision": "accept"}).status_code == 403
    trainer = client_as(workspace.users["trainer"])
    assert trainer.post(address, {"decision": "accept"}).status_code == 403


def test_a_reviewer_who_coded_the_theme_is_told_and_the_log_says_so(
    reviewed: dict[str, Any],
) -> None:
    analyst = client_as(reviewed["analyst"])
    address = url("review_theme", study=reviewed["study"], code=reviewed["codes"]["theme"])
    page = analyst.get(address).content.decode()
    assert "You coded 2 of the quotes under this theme yourself." in page
    analyst.post(address, {"decision": "accept"})
    log = analyst.get(url("review_log", study=reviewed["study"])).content.decode()
    assert "(also coded quotes under this theme)" in log


def test_a_rename_to_a_name_taken_changes_nothing(reviewed: dict[str, Any]) -> None:
    from imheval.web.qualitative.models import Review

    study, sense = reviewed["study"], reviewed["codes"]["sense"]
    proposal = Review.objects.create(
        study=study,
        code=sense,
        reviewer=reviewed["reviewer"],
        decision="propose",
        proposed_name="Time to think",
    )
    response = client_as(reviewed["analyst"]).post(
        url("review_respond", study=study, review=proposal),
        {"response": "Merge?", "apply": "on"},
        follow=True,
    )
    assert "already called Time to think; nothing was changed" in response.content.decode()
    sense.refresh_from_db()
    proposal.refresh_from_db()
    assert (sense.name, proposal.response) == ("Making sense", "")


def test_another_studys_theme_is_not_found_here(workspace: Any, reviewed: dict[str, Any]) -> None:
    other = make_study(workspace.organisation, workspace.programme, name="Another")
    stray = make_codebook(other)["theme"]
    client = client_as(reviewed["reviewer"])
    assert client.get(url("review_theme", study=reviewed["study"], code=stray)).status_code == 404
    outsider = client_as(workspace.outsider)
    assert outsider.get(url("review", study=reviewed["study"])).status_code == 404
