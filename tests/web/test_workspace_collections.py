"""Questionnaires (collections): set-up, open and close, the link page, QR codes and poster."""

from __future__ import annotations

import datetime
import io
import re
from typing import Any

import pytest
import segno
from django.test import Client
from django.urls import reverse
from PIL import Image

from imheval.instruments import get_builtin
from imheval.web.capture.models import Submission
from imheval.web.organisations.models import AuditEvent
from imheval.web.workspace.models import Cohort, Collection, InstrumentFile

UPLOAD = """\
format: imheval-instrument/1
id: trust-reflection
version: "1"
title: Trust reflection questions
levels: [beginner]
domains:
  - id: reflection
    label: Reflection
items:
  - id: T1
    domain: reflection
    text: What is a baby's first relationship?
    options: {a: With a parent or carer, b: With a sibling}
    key: a
"""


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _url(name: str, **kwargs: Any) -> str:
    return reverse(f"workspace:{name}", kwargs={"org": "northern", **kwargs})


def _text(response: Any) -> str:
    return response.content.decode()


@pytest.fixture
def new_cohort(workspace: Any) -> Cohort:
    """A cohort of the northern programme with no questionnaires yet."""
    return Cohort.objects.create(
        programme=workspace.programme, name="SOL-2", start_date=datetime.date(2027, 1, 11)
    )


# ----------------------------------------------------------------------- cohort page


def test_cohort_page_shows_each_timepoint_with_state_instruments_and_responses(
    workspace: Any,
) -> None:
    Submission.objects.create(collection=workspace.pre, status="complete")
    Submission.objects.create(collection=workspace.pre, status="complete")
    Submission.objects.create(collection=workspace.pre)  # a draft is not a response yet
    workspace.post.close()
    response = _client(workspace.users["trainer"]).get(_url("cohort", cohort=workspace.cohort.pk))
    timepoints = {t["value"]: t for t in response.context["timepoints"]}
    assert list(timepoints) == ["pre", "post", "followup"]
    assert timepoints["pre"]["collection"].responses == 2
    version = "1.0.0"  # the version the workspace fixture pinned (conftest.CORE_V1)
    assert timepoints["pre"]["instruments"] == [
        f"Infant mental health core questionnaire (version {version})"
    ]
    page = _text(response)
    assert page.count('<strong class="nhsuk-tag nhsuk-tag--green">Open</strong>') == 1
    assert page.count('<strong class="nhsuk-tag nhsuk-tag--grey">Closed</strong>') == 1
    assert page.count('<strong class="nhsuk-tag nhsuk-tag--white">Not opened yet</strong>') == 1
    # follow-up: 12 weeks after the last day (3 November 2026)
    assert "12 weeks after the course: 26 January 2027" in page
    assert page.count(">Close<span") == 1 and page.count(">Open<span") == 2


def test_cohort_page_offers_set_up_for_missing_timepoints(
    workspace: Any, new_cohort: Cohort
) -> None:
    page = _text(_client(workspace.users["trainer"]).get(_url("cohort", cohort=new_cohort.pk)))
    assert page.count("Not set up yet.") == 3
    create = _url("collection_create", cohort=new_cohort.pk)
    for timepoint in ("pre", "post", "followup"):
        assert f'href="{create}?timepoint={timepoint}"' in page


def test_viewer_sees_questionnaires_but_no_buttons(workspace: Any, new_cohort: Cohort) -> None:
    client = _client(workspace.users["viewer"])
    page = _text(client.get(_url("cohort", cohort=workspace.cohort.pk)))
    assert "Link and QR code" in page
    for hidden in (">Open<span", ">Close<span", "Change instruments", "Change cohort details"):
        assert hidden not in page
    page = _text(client.get(_url("cohort", cohort=new_cohort.pk)))
    assert "Not set up yet." in page and "Set up<" not in page


# ----------------------------------------------------------------------- set-up


def test_trainer_sets_up_a_pre_test_with_a_built_in_and_an_uploaded_instrument(
    workspace: Any, new_cohort: Cohort
) -> None:
    InstrumentFile.from_upload(workspace.organisation, "trust.yaml", UPLOAD).save()
    client = _client(workspace.users["trainer"])
    url = _url("collection_create", cohort=new_cohort.pk)
    form = _text(client.get(url + "?timepoint=pre"))
    assert 'id="id_timepoint_0" name="timepoint" type="radio" value="pre" checked' in form
    assert 'value="imh-core"' in form and 'value="trust-reflection"' in form
    assert "trust-reflection, uploaded: Reflection; 1 items" in form
    response = client.post(
        url, {"timepoint": "pre", "instrument_refs": ["imh-core", "trust-reflection"]}
    )
    assert response.status_code == 302
    assert response["Location"] == _url("cohort", cohort=new_cohort.pk)
    collection = Collection.objects.get(cohort=new_cohort)
    assert collection.timepoint == "pre"
    assert collection.instrument_refs == ["imh-core", "trust-reflection"]
    assert not collection.is_open and len(collection.token) == 43
    event = AuditEvent.objects.get(object_type="collection", object_id=str(collection.pk))
    assert (event.action, event.actor) == ("created", workspace.users["trainer"])
    assert event.changes["instrument_refs"] == [None, ["imh-core", "trust-reflection"]]


def test_follow_up_without_weeks_is_refused_with_the_models_message(
    workspace: Any, new_cohort: Cohort
) -> None:
    client = _client(workspace.users["evaluator"])
    response = client.post(
        _url("collection_create", cohort=new_cohort.pk),
        {"timepoint": "followup", "instrument_refs": ["imh-core"]},
    )
    assert response.status_code == 200
    page = _text(response)
    assert (
        '<a href="#id_follow_up_weeks">Say how many weeks after the course the follow-up is.</a>'
        in page
    )
    assert 'id="id_follow_up_weeks-error"' in page
    assert 'aria-describedby="id_follow_up_weeks-hint id_follow_up_weeks-error"' in page
    assert not Collection.objects.filter(cohort=new_cohort).exists()


def test_follow_up_with_weeks_is_saved_and_shows_its_due_date(
    workspace: Any, new_cohort: Cohort
) -> None:
    client = _client(workspace.users["evaluator"])
    response = client.post(
        _url("collection_create", cohort=new_cohort.pk),
        {"timepoint": "followup", "instrument_refs": ["imh-core"], "follow_up_weeks": "6"},
    )
    assert response.status_code == 302
    assert Collection.objects.get(cohort=new_cohort).follow_up_weeks == 6
    page = _text(client.get(response["Location"]))
    assert "6 weeks after the course: 22 February 2027" in page


def test_questionnaire_needs_an_instrument_and_a_timepoint(
    workspace: Any, new_cohort: Cohort
) -> None:
    response = _client(workspace.users["evaluator"]).post(
        _url("collection_create", cohort=new_cohort.pk), {"instrument_refs": []}
    )
    page = _text(response)
    assert '<a href="#id_timepoint_0">Choose when people answer this questionnaire</a>' in page
    assert not Collection.objects.filter(cohort=new_cohort).exists()
    response = _client(workspace.users["evaluator"]).post(
        _url("collection_create", cohort=new_cohort.pk), {"timepoint": "post"}
    )
    assert '<a href="#id_instrument_refs_0">Choose at least one instrument.</a>' in _text(response)


def test_a_cohort_has_one_questionnaire_per_timepoint(workspace: Any) -> None:
    response = _client(workspace.users["evaluator"]).post(
        _url("collection_create", cohort=workspace.cohort.pk),
        {"timepoint": "post", "instrument_refs": ["imh-core"]},
    )
    assert "This cohort already has a post-test questionnaire" in _text(response)
    assert workspace.cohort.collections.count() == 3


def test_instruments_of_an_unanswered_questionnaire_can_change(workspace: Any) -> None:
    response = _client(workspace.users["trainer"]).post(
        _url("collection_edit", collection=workspace.post.pk),
        {"timepoint": "post", "instrument_refs": ["imh-core", "imh-reaction"]},
    )
    assert response.status_code == 302
    workspace.post.refresh_from_db()
    assert workspace.post.instrument_refs == ["imh-core", "imh-reaction"]
    event = AuditEvent.objects.get(action="updated", actor=workspace.users["trainer"])
    reaction = get_builtin("imh-reaction").version
    assert event.changes == {
        "instrument_refs": [["imh-core"], ["imh-core", "imh-reaction"]],
        # the pin of the added built-in is logged too; imh-core's stays as it was
        "instrument_versions": [
            {"imh-core": workspace.post.instrument_versions["imh-core"]},
            {"imh-core": workspace.post.instrument_versions["imh-core"], "imh-reaction": reaction},
        ],
    }


def test_instruments_are_fixed_once_people_have_answered(workspace: Any) -> None:
    Submission.objects.create(collection=workspace.pre, status="complete")
    response = _client(workspace.users["evaluator"]).post(
        _url("collection_edit", collection=workspace.pre.pk),
        {"timepoint": "pre", "instrument_refs": ["imh-reaction"]},
    )
    assert response.status_code == 200
    assert "People have already answered this questionnaire, so its instruments" in _text(response)
    workspace.pre.refresh_from_db()
    assert workspace.pre.instrument_refs == ["imh-core"]


# ----------------------------------------------------------------------- open and close


def test_trainer_closes_and_reopens_a_questionnaire(workspace: Any) -> None:
    client = _client(workspace.users["trainer"])
    response = client.post(_url("collection_close", collection=workspace.pre.pk))
    assert response.status_code == 302
    assert response["Location"] == _url("cohort", cohort=workspace.cohort.pk)
    workspace.pre.refresh_from_db()
    assert not workspace.pre.is_open and workspace.pre.closed_at is not None
    client.post(_url("collection_open", collection=workspace.pre.pk))
    workspace.pre.refresh_from_db()
    assert workspace.pre.is_open and workspace.pre.closed_at is None
    events = AuditEvent.objects.filter(object_id=str(workspace.pre.pk), action="updated")
    by_trainer = events.filter(actor=workspace.users["trainer"]).order_by("id")
    assert [e.changes["is_open"] for e in by_trainer] == [[True, False], [False, True]]
    assert [e.actor_label for e in by_trainer] == ["trainer-north", "trainer-north"]


def test_open_and_close_only_answer_post(workspace: Any) -> None:
    client = _client(workspace.users["trainer"])
    assert client.get(_url("collection_open", collection=workspace.post.pk)).status_code == 405
    workspace.post.refresh_from_db()
    assert not workspace.post.is_open


def test_viewer_cannot_open_a_questionnaire(workspace: Any) -> None:
    events_before = AuditEvent.objects.count()
    response = _client(workspace.users["viewer"]).post(
        _url("collection_open", collection=workspace.post.pk)
    )
    assert response.status_code == 403
    workspace.post.refresh_from_db()
    assert not workspace.post.is_open
    assert AuditEvent.objects.count() == events_before


# ----------------------------------------------------------------------- link, QR code, poster


def test_link_page_shows_the_participant_address_and_the_qr_code(workspace: Any) -> None:
    response = _client(workspace.users["viewer"]).get(
        _url("collection_link", collection=workspace.pre.pk)
    )
    assert response.status_code == 200
    page = _text(response)
    token = workspace.pre.token
    assert len(token) == 43 and re.fullmatch(r"[A-Za-z0-9_-]{43}", token)
    assert f"http://testserver/q/{token}/" in page
    svg = _url("collection_qr_svg", collection=workspace.pre.pk)
    assert re.search(rf'<img class="imheval-qr" src="{svg}" alt="QR code that opens the ', page)
    assert f'href="{svg}?download=1" download' in page
    assert f'href="{_url("collection_qr_png", collection=workspace.pre.pk)}?download=1"' in page
    assert "is closed" not in page and "not open yet" not in page


def test_link_page_of_a_closed_questionnaire_says_it_is_closed(workspace: Any) -> None:
    workspace.post.close()
    page = _text(
        _client(workspace.users["trainer"]).get(
            _url("collection_link", collection=workspace.post.pk)
        )
    )
    assert "This questionnaire is closed" in page
    page = _text(
        _client(workspace.users["trainer"]).get(
            _url("collection_link", collection=workspace.followup.pk)
        )
    )
    assert "This questionnaire is not open yet" in page


def _svg_modules(svg: str) -> list[list[int]]:
    """The dark modules of segno's SVG path ("M x y h n m dx dy ..."), as a 0/1 matrix."""
    match = re.search(r'<g transform="scale\((\d+)\)">.*?class="qrline"[^>]* d="([^"]+)"', svg)
    assert match is not None, svg[:300]
    size = int(re.search(r'width="(\d+)"', svg).group(1)) // int(match.group(1))  # type: ignore[union-attr]
    grid = [[0] * size for _ in range(size)]
    x = y = 0.0
    for command, numbers in re.findall(r"([MmHh])([-\d. ]+)", match.group(2)):
        values = [float(v) for v in numbers.split()]
        if command in "Mm":
            x, y = (values[0], values[1]) if command == "M" else (x + values[0], y + values[1])
        else:
            for column in range(int(x), int(x + values[0])):
                grid[int(y)][column] = 1
            x += values[0]
    return grid


def _png_modules(png: bytes, scale: int) -> list[list[int]]:
    image = Image.open(io.BytesIO(png)).convert("L")
    size = image.width // scale
    return [
        [
            int(image.getpixel((c * scale + scale // 2, r * scale + scale // 2)) < 128)
            for c in range(size)
        ]
        for r in range(size)
    ]


def _expected_modules(url: str) -> list[list[int]]:
    code = segno.make_qr(url, error="m")
    return [[int(bool(v)) for v in row] for row in code.matrix_iter(border=4)]


def test_qr_code_svg_encodes_the_participant_address(workspace: Any) -> None:
    client = _client(workspace.users["viewer"])
    response = client.get(_url("collection_qr_svg", collection=workspace.pre.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert "Content-Disposition" not in response
    svg = _text(response)
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg"')
    assert "<title>QR code for Pre-test for SOL-1" in svg
    address = f"http://testserver/q/{workspace.pre.token}/"
    assert _svg_modules(svg) == _expected_modules(address)


def test_qr_code_png_decodes_to_the_participant_address_modules(workspace: Any) -> None:
    client = _client(workspace.users["viewer"])
    response = client.get(_url("collection_qr_png", collection=workspace.pre.pk))
    assert response["Content-Type"] == "image/png"
    image = Image.open(io.BytesIO(response.content))
    image.load()
    assert image.format == "PNG" and image.width == image.height == 450  # 45 modules x 10
    address = f"http://testserver/q/{workspace.pre.token}/"
    assert _png_modules(response.content, 10) == _expected_modules(address)


def test_qr_code_downloads_as_a_named_file(workspace: Any) -> None:
    client = _client(workspace.users["viewer"])
    response = client.get(_url("collection_qr_png", collection=workspace.pre.pk) + "?download=1")
    assert response["Content-Disposition"] == (
        'attachment; filename="qr-solihull-approach-foundation-sol-1-pre.png"'
    )


def test_poster_shows_programme_cohort_timepoint_qr_code_and_no_names(workspace: Any) -> None:
    response = _client(workspace.users["trainer"]).get(
        _url("collection_poster", collection=workspace.pre.pk)
    )
    page = _text(response)
    assert '<div class="imheval-poster">' in page
    assert "Solihull Approach foundation, cohort SOL-1" in page
    assert "Pre-test questionnaire" in page
    assert f'src="{_url("collection_qr_svg", collection=workspace.pre.pk)}"' in page
    assert f"http://testserver/q/{workspace.pre.token}/" in page
    assert "No names are collected." in page
    assert "<script>" not in page and "style=" not in page


def test_poster_of_a_closed_questionnaire_warns_on_screen_only(workspace: Any) -> None:
    workspace.post.close()
    page = _text(
        _client(workspace.users["trainer"]).get(
            _url("collection_poster", collection=workspace.post.pk)
        )
    )
    assert 'nhsuk-card--warning imheval-no-print">' in page
    assert "This questionnaire is closed" in page


def test_instruments_that_share_a_question_id_are_refused_together(
    workspace: Any, new_cohort: Cohort
) -> None:
    """Answers are kept by question id: imh-core's RA01 (2.0.0, the version a new cohort asks)
    and an upload's RA01 would be mixed."""
    clashing = UPLOAD.replace("id: trust-reflection", "id: trust-clash").replace(
        "  - id: T1", "  - id: RA01"
    )
    InstrumentFile.from_upload(workspace.organisation, "clash.yaml", clashing).save()
    client = _client(workspace.users["trainer"])
    url = _url("collection_create", cohort=new_cohort.pk)
    response = client.post(
        url, {"timepoint": "pre", "instrument_refs": ["imh-core", "trust-clash"]}
    )
    assert response.status_code == 200
    page = _text(response)
    assert "These instruments cannot be used in one questionnaire" in page
    assert "item &#x27;RA01&#x27; is also an item of instrument &#x27;imh-core&#x27;" in page
    assert not Collection.objects.filter(cohort=new_cohort).exists()
    # each on its own is fine
    response = client.post(url, {"timepoint": "pre", "instrument_refs": ["trust-clash"]})
    assert response.status_code == 302


def test_a_new_link_stops_the_old_one_and_is_logged_without_the_token(workspace: Any) -> None:
    """The re-test's N5: a script with the poster link can keep a link at its start limit;
    the trainer's answer is a new link (the old one, and every printed QR code, stop)."""
    old_token = workspace.pre.token
    assert Client().get(f"/q/{old_token}/").status_code == 200
    client = _client(workspace.users["trainer"])

    response = client.post(_url("collection_new_link", collection=workspace.pre.pk))

    assert response["Location"] == _url("collection_link", collection=workspace.pre.pk)
    workspace.pre.refresh_from_db()
    assert workspace.pre.token != old_token and len(workspace.pre.token) == 43
    assert Client().get(f"/q/{old_token}/").status_code == 404
    assert Client().get(f"/q/{workspace.pre.token}/").status_code == 200
    page = _text(client.get(response["Location"]))
    assert "has a new link and QR code. The old ones no longer work" in page
    assert f"http://testserver/q/{workspace.pre.token}/" in page
    [event] = AuditEvent.objects.filter(
        object_type="collection", object_id=str(workspace.pre.pk), actor=workspace.users["trainer"]
    )
    assert (event.action, list(event.changes)) == ("updated", ["link_replaced_at"])
    assert old_token not in str(event.changes) and workspace.pre.token not in str(event.changes)


def test_only_those_who_run_questionnaires_make_a_new_link(workspace: Any) -> None:
    token = workspace.pre.token
    viewer = _client(workspace.users["viewer"])
    link_page = _text(viewer.get(_url("collection_link", collection=workspace.pre.pk)))
    assert "Make a new link" not in link_page
    assert viewer.post(_url("collection_new_link", collection=workspace.pre.pk)).status_code == 403
    assert viewer.get(_url("collection_new_link", collection=workspace.pre.pk)).status_code == 403
    workspace.pre.refresh_from_db()
    assert workspace.pre.token == token


def test_follow_up_can_be_set_to_open_itself_on_its_due_date(workspace: Any) -> None:
    client = _client(workspace.users["trainer"])
    url = _url("collection_edit", collection=workspace.followup.pk)
    data = {"timepoint": "followup", "instrument_refs": ["imh-core"], "follow_up_weeks": "12"}
    response = client.post(url, {**data, "opens_on_due_date": "on"})
    assert response.status_code == 302
    workspace.followup.refresh_from_db()
    assert workspace.followup.opens_on_due_date
    response = client.post(
        _url("collection_edit", collection=workspace.post.pk),
        {"timepoint": "post", "instrument_refs": ["imh-core"], "opens_on_due_date": "on"},
    )
    assert "Only a follow-up can open itself on its due date." in _text(response)
