"""Coding a transcript: the page, its form without the script, a passage's page, who may do
what, blind coding, the audit log and the number of queries."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import client_as
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
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

from imheval.web.organisations.models import AuditEvent
from imheval.web.qualitative.coding import (
    blocks,
    coder_for,
    content_span,
    passages,
    shown_codings,
)
from imheval.web.qualitative.models import Coder, Coding, Turn

#: An emoji (two UTF-16 units, one code point) and accented names before the coded words.
ACCENTED = (
    "Facilitator: Welcome 👋 everyone.\n"
    "PX1: Siobhán and Zoë said it helped. The readings made sense.\n"
    "PX2: Time to think 🙂 at last.\n"
)


@pytest.fixture
def study(workspace: Any) -> Any:
    return make_study(workspace.organisation, scope=workspace.cohort)


@pytest.fixture
def analyst(workspace: Any) -> Any:
    return add_member(workspace.organisation, "analyst")


def _post(client: Any, study: Any, source: Any, **data: Any) -> Any:
    return client.post(url("coding", study=study, source=source), data)


# ----------------------------------------------------------------------------- coding


def test_analyst_codes_a_passage_stored_as_code_point_offsets(
    workspace: Any, study: Any, analyst: Any
) -> None:
    source = make_source(study, ACCENTED)
    book = make_codebook(study)
    start = ACCENTED.index("The readings")
    end = start + len("The readings made sense")
    client = client_as(analyst)
    answer = _post(
        client,
        study,
        source,
        start=str(start),
        end=str(end),
        codes=[book["readings"].pk, book["sense"].pk],
        exemplar="yes",
        memo="Echoes the light bulb moment.",
    )
    assert answer.status_code == 302
    codings = list(Coding.objects.filter(source=source).order_by("code__name"))
    assert [(c.code.name, c.start, c.end) for c in codings] == [
        ("Making sense", 70, 93),
        ("Readings helped", 70, 93),
    ]
    assert source.text[70:93] == "The readings made sense"
    assert {c.exemplar for c in codings} == {True}
    assert {c.memo for c in codings} == {"Echoes the light bulb moment."}
    assert len({c.selection_guid for c in codings}) == 1
    assert answer["Location"].endswith(f"#c{min(c.pk for c in codings)}")
    coder = Coder.objects.get(study=study)
    assert (coder.name, coder.user) == ("analyst-northern", analyst)
    page = client.get(answer["Location"]).content.decode()
    assert "Coded “The readings made sense” with Making sense, Readings helped." in page
    assert "“The readings made sense”: <strong>Making sense, Readings helped</strong>" in page


def test_a_whole_turn_is_coded_without_its_speaker_label(
    workspace: Any, study: Any, analyst: Any
) -> None:
    source = make_source(study, FOCUS_GROUP)
    book = make_codebook(study)
    turn = Turn.objects.filter(source=source, speaker__label="PX2").get()
    client = client_as(analyst)
    page = client.get(url("coding", study=study, source=source)).content.decode()
    assert (
        f'<option value="{turn.pk}">PX2: Time to think. We never get time to think. '
        "(characters 130 to 172)</option>"
    ) in page
    answer = _post(client, study, source, turn=str(turn.pk), codes=[book["never time"].pk])
    assert answer.status_code == 302
    coding = Coding.objects.get(source=source)
    assert source.text[coding.start : coding.end] == "Time to think. We never get time to think."


def test_every_coding_change_is_in_the_audit_log(workspace: Any, study: Any, analyst: Any) -> None:
    source = make_source(study, FOCUS_GROUP)
    book = make_codebook(study)
    client = client_as(analyst)
    start = FOCUS_GROUP.index("A light bulb")
    _post(client, study, source, start=start, end=start + 23, codes=[book["light bulb"].pk])
    coding = Coding.objects.get(source=source)
    made = AuditEvent.objects.get(object_type="coding", action="created")
    assert (made.actor, made.object_id) == (analyst, str(coding.pk))
    assert made.changes["start"] == [None, start]
    passage = url("coding_passage", study=study, source=source, coding=coding)
    answer = client.post(
        passage,
        {"codes": [book["light bulb"].pk, book["sense"].pk], "exemplar": "yes", "memo": "Vivid"},
    )
    assert answer.status_code == 302
    rows = list(Coding.objects.filter(source=source).order_by("pk"))
    assert [(r.code.name, r.exemplar, r.memo) for r in rows] == [
        ("Light bulb moment", True, "Vivid"),
        ("Making sense", True, "Vivid"),
    ]
    assert rows[1].selection_guid == rows[0].selection_guid
    updated = AuditEvent.objects.get(object_type="coding", action="updated")
    assert updated.changes == {"exemplar": [False, True], "memo": ["", "Vivid"]}
    assert updated.actor == analyst
    # Changing its codes again takes one away: a deletion, logged.
    client.post(passage, {"codes": [book["sense"].pk], "exemplar": "yes", "memo": "Vivid"})
    assert [r.code.name for r in Coding.objects.filter(source=source)] == ["Making sense"]
    deleted = AuditEvent.objects.filter(object_type="coding", action="deleted")
    assert [event.object_id for event in deleted] == [str(coding.pk)]
    remaining = Coding.objects.get(source=source)
    answer = client.post(
        url("coding_passage", study=study, source=source, coding=remaining), {"action": "remove"}
    )
    assert answer.status_code == 302
    assert not Coding.objects.filter(source=source).exists()
    assert AuditEvent.objects.filter(object_type="coding", action="deleted").count() == 2


# ------------------------------------------------------------------------------ bad input


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"start": "10", "end": "9999"},
            "The end (9,999) is past the end of the text (269 characters).",
        ),
        ({"start": "40", "end": "40"}, "The end (40) must be after the start (40)."),
        ({"start": "ten", "end": "20"}, "Start must be a whole number, like 120."),
        ({"start": "-1", "end": "20"}, "Start must be a whole number, like 120."),
        ({"start": "10"}, "Give both a start and an end."),
        ({}, "Select a passage in the text, choose a whole turn, or give a start and end."),
        (
            {"start": "49", "end": "50"},
            "The passage is only spaces or line breaks: select some words.",
        ),
        ({"turn": "999999"}, "There is no such turn in Focus group 1: choose one from the list."),
    ],
)
def test_a_passage_outside_the_text_is_refused_in_plain_words(
    workspace: Any, study: Any, analyst: Any, data: dict[str, str], message: str
) -> None:
    source = make_source(study, FOCUS_GROUP)
    assert len(FOCUS_GROUP) == 269 and FOCUS_GROUP[49] == "\n"
    book = make_codebook(study)
    answer = _post(client_as(analyst), study, source, codes=[book["readings"].pk], **data)
    assert answer.status_code == 400
    assert message in answer.content.decode()
    assert not Coding.objects.exists()


def test_a_turn_and_positions_together_are_refused(
    workspace: Any, study: Any, analyst: Any
) -> None:
    source = make_source(study, FOCUS_GROUP)
    book = make_codebook(study)
    turn = Turn.objects.filter(source=source).first()
    answer = _post(
        client_as(analyst), study, source, turn=turn.pk, start=1, end=5, codes=[book["readings"].pk]
    )
    assert answer.status_code == 400
    assert "Choose a whole turn, or give a start and end, not both." in answer.content.decode()


def test_themes_and_other_studies_codes_cannot_be_coded(
    workspace: Any, study: Any, analyst: Any
) -> None:
    source = make_source(study, FOCUS_GROUP)
    book = make_codebook(study)
    other = make_codebook(make_study(workspace.organisation, workspace.programme, name="Other"))
    client = client_as(analyst)
    refused = (
        "Choose codes or sub-themes of this study&#x27;s codebook "
        "(a theme is coded through its sub-themes)."
    )
    for code in (book["theme"], other["readings"]):
        answer = _post(client, study, source, start=0, end=5, codes=[code.pk])
        assert answer.status_code == 400
        assert refused in answer.content.decode()
    answer = _post(client, study, source, start=0, end=5)
    assert "Choose at least one code for the passage." in answer.content.decode()
    assert not Coding.objects.exists()


def test_a_source_of_another_study_is_not_found(workspace: Any, study: Any, analyst: Any) -> None:
    other = make_study(workspace.organisation, workspace.programme, name="Other")
    elsewhere = make_source(other, FOCUS_GROUP)
    client = client_as(analyst)
    assert client.get(url("coding", study=study, source=elsewhere)).status_code == 404
    coding = make_coding(elsewhere, make_codebook(other)["readings"], text="the readings")
    mine = make_source(study, FOCUS_GROUP, name="Mine")
    assert (
        client.get(url("coding_passage", study=study, source=mine, coding=coding)).status_code
        == 404
    )
    assert (
        client.get(url("coding_passage", study=other, source=mine, coding=coding)).status_code
        == 404
    )


# ---------------------------------------------------------------------------- who may do what


@pytest.mark.parametrize("role", ["reviewer", "viewer", "trainer"])
def test_readers_see_the_codings_without_coding_controls(
    workspace: Any, study: Any, role: str
) -> None:
    source = make_source(study, FOCUS_GROUP)
    book = make_codebook(study)
    coding = make_coding(
        source, book["readings"], make_coder(study, "Analyst A"), text="the readings"
    )
    user = workspace.users.get(role) or add_member(workspace.organisation, role)
    client = client_as(user)
    page = client.get(url("coding", study=study, source=source))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Coding is for the organisation's analysts, evaluators and admins." in text
    assert 'id="code-form"' not in text and "coding.js" not in text
    assert "“the readings”: <strong>Readings helped</strong>" in text
    assert "(Analyst A)" in text
    answer = _post(client, study, source, start=0, end=5, codes=[book["readings"].pk])
    assert answer.status_code == 403
    assert (
        "Only the organisation&#x27;s analysts, evaluators and admins can change this study."
        in (answer.content.decode())
    )
    passage = url("coding_passage", study=study, source=source, coding=coding)
    assert client.post(passage, {"action": "remove"}).status_code == 403
    assert Coding.objects.count() == 1


def test_a_coder_changes_only_their_own_passages(workspace: Any, study: Any, analyst: Any) -> None:
    source = make_source(study, FOCUS_GROUP)
    book = make_codebook(study)
    evaluator = workspace.users["evaluator"]
    theirs = make_coding(
        source, book["readings"], make_coder(study, "Evaluator", evaluator), text="the readings"
    )
    imported = make_coding(
        source, book["sense"], make_coder(study, "From NVivo"), text="made sense"
    )
    client = client_as(analyst)
    page = client.get(url("coding", study=study, source=source)).content.decode()
    prefix = url("coding_passage", study=study, source=source, coding=0).removesuffix("0/")
    assert f'href="{prefix}{theirs.pk}/"' not in page
    assert f'href="{prefix}{imported.pk}/"' in page
    answer = client.post(
        url("coding_passage", study=study, source=source, coding=theirs), {"action": "remove"}
    )
    assert answer.status_code == 403
    assert "This passage was coded by Evaluator: you can change only your own codings." in (
        answer.content.decode()
    )
    assert Coding.objects.filter(pk=theirs.pk).exists()


def test_blind_coders_see_only_their_own_codings_until_the_comparison_opens(
    workspace: Any, analyst: Any
) -> None:
    study = make_study(workspace.organisation, workspace.cohort, approach="codebook")
    source = make_source(study, FOCUS_GROUP)
    book = make_codebook(study)
    evaluator = workspace.users["evaluator"]
    theirs = make_coding(
        source, book["readings"], make_coder(study, "Evaluator", evaluator), text="the readings"
    )
    make_coding(source, book["sense"], make_coder(study, "Analyst", analyst), text="made sense")
    client = client_as(analyst)
    page = client.get(url("coding", study=study, source=source)).content.decode()
    assert "you see only your own codings until the comparison is opened" in page
    assert "<strong>Making sense</strong>" in page
    assert "Readings helped</strong>" not in page
    assert 'class="imheval-coder"' not in page  # coder names are not shown while blind
    passage = url("coding_passage", study=study, source=source, coding=theirs)
    assert client.get(passage).status_code == 404
    viewer_page = client_as(workspace.users["viewer"]).get(
        url("coding", study=study, source=source)
    )
    assert "<strong>" not in viewer_page.content.decode().split('id="transcript"')[1]
    study.comparison_opened_at = timezone.now()
    study.save()
    page = client.get(url("coding", study=study, source=source)).content.decode()
    assert (
        "“the readings”: <strong>Readings helped</strong> "
        '<span class="imheval-coder">(Evaluator)</span>' in page
    )
    assert (
        '“made sense”: <strong>Making sense</strong> <span class="imheval-coder">(Analyst)</span>'
        in page
    )


def test_coder_is_made_once_and_a_taken_name_gets_the_user_name(
    workspace: Any, study: Any, analyst: Any
) -> None:
    analyst.first_name, analyst.last_name = "Ann", "Lyst"
    analyst.save()
    make_coder(study, "Ann Lyst")  # an imported coder of that name
    coder = coder_for(study, analyst, create=True)
    assert coder is not None and coder.name == "Ann Lyst (analyst-northern)"
    assert coder_for(study, analyst, create=True) == coder
    assert Coder.objects.filter(study=study).count() == 2


# -------------------------------------------------------------------------- the text's runs


def test_runs_cover_the_text_once_escaped_with_overlaps_marked(workspace: Any, study: Any) -> None:
    text = "PX1: <b>Tom & Jerry</b>\r\nPX2: 👋 ok\n"
    source = make_source(study, text)
    book = make_codebook(study)
    coder = make_coder(study)
    make_coding(source, book["readings"], coder, text="Tom & Jerry")
    make_coding(source, book["sense"], coder, text="Jerry</b>\r\nPX2: 👋")
    turns = list(Turn.objects.filter(source=source).select_related("speaker"))
    found = passages(
        shown_codings(source, blind=False, me=None),
        text,
        study,
        None,
        can_code=False,
    )
    made = blocks(text, turns, found)
    assert [(b.speaker, b.start, b.end) for b in made] == [("PX1", 0, 25), ("PX2", 25, 35)]
    assert not made[0].show_label
    html = "".join(b.html for b in made)
    assert "<b>" not in html and "&lt;b&gt;Tom &amp; Jerry" not in html
    assert '<mark class="imheval-run imheval-coded-2" data-s="14" data-p="1 2">Jerry</mark>' in html
    assert "&#13;\n" in html
    assert '<sup class="imheval-ref" aria-hidden="true">1</sup>' in made[0].html
    assert [p.number for p in made[0].passages] == [1]
    assert [p.number for p in made[1].passages] == [2]
    assert (made[1].content_start, made[1].content_end) == (30, 34)
    assert content_span(text, 25, 34, "PX2") == (30, 34)


# ---------------------------------------------------------------------------- performance


def _many(study: Any, source: Any, count: int) -> None:
    book = make_codebook(study)
    coders = [make_coder(study, "A"), make_coder(study, "B")]
    codes = [book["readings"], book["sense"], book["light bulb"], book["never time"]]
    length = len(source.text)
    Coding.objects.bulk_create(
        Coding(
            source=source,
            code=codes[i % 4],
            coder=coders[i % 2],
            start=(i * 37) % (length - 40),
            end=(i * 37) % (length - 40) + 5 + i % 30,
        )
        for i in range(count)
    )


def test_the_page_asks_the_same_few_queries_however_many_codings(
    workspace: Any, study: Any, analyst: Any
) -> None:
    source = make_source(study, FOCUS_GROUP * 40)
    client = client_as(analyst)
    address = url("coding", study=study, source=source)
    _many(study, source, 10)
    with CaptureQueriesContext(connection) as few:
        assert client.get(address).status_code == 200
    _many(study, source, 400)
    with CaptureQueriesContext(connection) as many:
        page = client.get(address)
    assert page.status_code == 200
    assert len(many) == len(few) <= 12
    assert page.content.decode().count('<li id="c') == 410
