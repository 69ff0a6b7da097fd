"""Instruments to and from other systems: who may reach the pages, what the upload form refuses
before any reader runs, and the signed file carried from the preview to the confirmation.

The readers' and writers' results are tested in test_interop_instruments.py; here nothing
depends on what they make of a file."""

from __future__ import annotations

import re
from typing import Any

import pytest
from conftest import client_as
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from imheval.interop import SourceFile, System
from imheval.web.organisations.access import Access
from imheval.web.organisations.models import AuditEvent, Membership
from imheval.web.workspace import instrument_interop
from imheval.web.workspace.instrument_interop import (
    EXPORTS,
    problem_rows,
    safe_file_name,
    sign_upload,
    unsign_upload,
)
from imheval.web.workspace.models import InstrumentFile

INSTRUMENT = """\
format: imheval-instrument/1
id: northern-quiz
version: "2"
title: Northern quiz
levels: [beginner]
domains: [{id: k, label: Knowledge}]
items:
  - {id: Q1, domain: k, text: Is this clear, options: {a: Yes, b: No}, key: a}
"""
FHIR = b'{"resourceType": "Questionnaire", "status": "active", "item": []}'
LSS = b'<?xml version="1.0"?>\n<document>\n <LimeSurveyDocType>Survey</LimeSurveyDocType>'
REDCAP = b'"Variable / Field Name","Form Name","Section Header","Field Type","Field Label"\n'


def problem_table(html: str) -> list[tuple[str, str, str]]:
    """(file, where, problem) of each row of the page's problems table, as the HTML has them."""
    table = html.split('id="problems"', 1)[1].split("</table>", 1)[0]
    cell = r"<td[^>]*>(.*?)</td>\s*"
    return re.findall(r'<tr class="nhsuk-table__row">\s*' + cell * 3, table, re.S)


def _url(name: str, org: str = "northern", **kwargs: Any) -> str:
    return reverse(f"workspace:{name}", kwargs={"org": org, **kwargs})


def _file(workspace: Any) -> InstrumentFile:
    saved = InstrumentFile.from_upload(workspace.organisation, "n.yaml", INSTRUMENT)
    saved.save()
    return saved


def _access(workspace: Any, role: str = "admin") -> Access:
    membership = Membership.objects.get(user=workspace.users[role])
    return Access(workspace.organisation, membership)


def _addresses(workspace: Any) -> list[str]:
    saved = _file(workspace)
    return [
        _url("instrument_import"),
        _url("instrument_import_confirm"),
        _url("instrument_builtin_export", instrument_id="imh-core", file_format="fhir"),
        _url("instrument_file_export", instrument_file=saved.pk, file_format="fhir"),
    ]


# ----------------------------------------------------------------------- who may reach what


def test_anonymous_visitors_are_sent_to_sign_in(workspace: Any) -> None:
    client = client_as(None)
    for url in _addresses(workspace):
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code == 302, url
            assert response["Location"] == f"/sign-in/?next={url}"


def test_another_organisations_member_gets_404_and_keeps_nothing(workspace: Any) -> None:
    client = client_as(workspace.outsider)
    addresses = _addresses(workspace)
    events = AuditEvent.objects.count()
    for url in addresses:
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"system": "fhir"}).status_code == 404, url
    assert AuditEvent.objects.count() == events


def test_northern_instrument_file_is_404_under_the_outsiders_own_organisation(
    workspace: Any,
) -> None:
    saved = _file(workspace)
    client = client_as(workspace.outsider)
    for key in EXPORTS:
        url = _url("instrument_file_export", "southern", instrument_file=saved.pk, file_format=key)
        assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    ("role", "expected"), [("admin", 200), ("evaluator", 200), ("trainer", 403), ("viewer", 403)]
)
def test_only_members_who_may_change_instruments_may_import(
    workspace: Any, role: str, expected: int
) -> None:
    client = client_as(workspace.users[role])
    assert client.get(_url("instrument_import")).status_code == expected
    upload = SimpleUploadedFile("q.json", FHIR)  # a Questionnaire with no question: refused
    posted = client.post(_url("instrument_import"), {"system": "fhir", "file": upload})
    assert posted.status_code == (403 if expected == 403 else 400)
    confirm = client.post(_url("instrument_import_confirm"), {"payload": "x"})
    assert confirm.status_code == (403 if expected == 403 else 302)
    if expected == 403:
        assert b"cannot change instruments in Northern HSC Trust" in posted.content
    else:
        assert b"There is a problem: nothing was imported" in posted.content
    assert not InstrumentFile.objects.exists()


def test_the_pages_say_where_each_file_comes_from_and_link_to_the_guide(
    workspace: Any,
) -> None:
    html = client_as(workspace.users["admin"]).get(_url("instrument_import")).content.decode()
    assert "Project Setup &gt; Design your data collection instruments &gt; Download the" in html
    assert "Display/Export &gt; Survey structure (.lss)" in html
    assert 'href="/guides/interoperability/"' in html
    page = client_as(workspace.users["viewer"]).get(
        _url("instrument_builtin", instrument_id="imh-core")
    )
    assert 'href="/guides/interoperability/"' in page.content.decode()


def test_the_confirmation_answers_only_post(workspace: Any) -> None:
    client = client_as(workspace.users["admin"])
    assert client.get(_url("instrument_import_confirm")).status_code == 405


@pytest.mark.parametrize("role", ["trainer", "viewer"])
def test_every_member_may_download(workspace: Any, role: str) -> None:
    """Reaching a download is for every member (what it holds is tested with the writers):
    an unknown format is 404, not 403."""
    saved = _file(workspace)
    client = client_as(workspace.users[role])
    url = _url("instrument_file_export", instrument_file=saved.pk, file_format="pdf")
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 405


def test_the_instruments_page_links_to_the_import_for_those_who_may_use_it(
    workspace: Any,
) -> None:
    link = f'href="{_url("instrument_import")}"'
    evaluator = client_as(workspace.users["evaluator"]).get(_url("instruments")).content.decode()
    assert link in evaluator and "Import from REDCap, LimeSurvey or FHIR</a>" in evaluator
    viewer = client_as(workspace.users["viewer"]).get(_url("instruments")).content.decode()
    assert link not in viewer


@pytest.mark.parametrize("role", ["admin", "viewer"])
def test_the_instrument_pages_offer_each_download(workspace: Any, role: str) -> None:
    saved = _file(workspace)
    client = client_as(workspace.users[role])
    pages = [
        (
            _url("instrument_builtin", instrument_id="imh-core"),
            {"instrument_id": "imh-core"},
            "instrument_builtin_export",
        ),
        (
            _url("instrument_file", instrument_file=saved.pk),
            {"instrument_file": saved.pk},
            "instrument_file_export",
        ),
    ]
    for page, kwargs, name in pages:
        html = client.get(page).content.decode()
        found = [
            html.index(f'href="{_url(name, file_format=key, **kwargs)}" download>{export.label}<')
            for key, export in EXPORTS.items()
        ]
        assert found == sorted(found)  # in EXPORTS' order


# ----------------------------------------------------------------------- the upload form


def _post(workspace: Any, data: dict[str, Any]) -> Any:
    return client_as(workspace.users["evaluator"]).post(_url("instrument_import"), data)


def test_the_form_asks_for_a_system_and_a_file(workspace: Any) -> None:
    response = _post(workspace, {})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Choose the system the file is from" in html
    assert "Choose the file to import" in html
    assert html.count('type="radio"') == 3


@pytest.mark.parametrize(
    ("system", "name", "message"),
    [
        (
            "redcap",
            "dictionary.xlsx",
            "For REDCap choose a REDCap data dictionary (.csv) or instrument ZIP (.zip), not "
            "a .xlsx file.",
        ),
        (
            "limesurvey",
            "survey",
            "For LimeSurvey choose a LimeSurvey survey structure file (.lss), not a file with "
            "no extension.",
        ),
        (
            "fhir",
            "phq9.pdf",
            "For FHIR Questionnaire choose a FHIR Questionnaire (.json or .xml), not a .pdf file.",
        ),
    ],
)
def test_a_file_of_the_wrong_kind_is_refused_by_its_name(
    workspace: Any, system: str, name: str, message: str
) -> None:
    response = _post(workspace, {"system": system, "file": SimpleUploadedFile(name, b"x,y\n")})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not InstrumentFile.objects.exists()


def test_a_file_over_a_megabyte_is_refused(workspace: Any) -> None:
    big = SimpleUploadedFile("big.csv", b"a" * (1024 * 1024 + 1))
    response = _post(workspace, {"system": "redcap", "file": big})
    assert response.status_code == 400
    assert "The file is 1.0 MB; a structure file must be at most 1 MB." in response.content.decode()


@pytest.mark.parametrize(
    ("system", "name", "data", "message"),
    [
        (
            "redcap",
            "survey.csv",
            LSS,
            "This looks like a LimeSurvey survey structure (.lss), not a REDCap data dictionary "
            "(.csv) or instrument ZIP (.zip): choose LimeSurvey as the system, or choose the "
            "right file",
        ),
        (
            "limesurvey",
            "q.lss",
            FHIR,
            "This looks like a FHIR Questionnaire, not a LimeSurvey survey structure file "
            "(.lss): choose FHIR Questionnaire as the system, or choose the right file",
        ),
        (
            "fhir",
            "dictionary.json",
            REDCAP,
            "This looks like a REDCap data dictionary, not a FHIR Questionnaire (.json or "
            ".xml): choose REDCap as the system, or choose the right file",
        ),
        (
            "redcap",
            "records.csv",
            b"record_id,redcap_event_name,k1,imh_quiz_complete\n1,pre_arm_1,1,2\n",
            "This is a REDCap record export: the answers, not the questions. This page reads "
            "the questions: choose a REDCap data dictionary (.csv) or instrument ZIP (.zip)",
        ),
        (
            "fhir",
            "responses.json",
            b'{"resourceType": "QuestionnaireResponse", "status": "completed"}',
            "This is a FHIR QuestionnaireResponse: the answers, not the questions. This page "
            "reads the questions: choose a FHIR Questionnaire (.json or .xml)",
        ),
    ],
)
def test_a_file_that_is_not_the_systems_structure_file_is_named_and_nothing_is_kept(
    workspace: Any, system: str, name: str, data: bytes, message: str
) -> None:
    response = _post(workspace, {"system": system, "file": SimpleUploadedFile(name, data)})
    html = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem: nothing was imported" in html
    assert problem_table(html) == [(name, "the whole file", message)]
    assert not InstrumentFile.objects.exists()


def test_problems_name_the_file_and_the_place_in_it() -> None:
    from imheval.errors import Problem

    rows = problem_rows(
        [
            Problem("d.csv", "the field type 'slidr' is unknown", row=7, column="Field Type"),
            Problem("q.json", "no items", field="item"),
            Problem("s.lss", "x", item="Q1"),
            Problem("s.lss", "the file is empty"),
        ]
    )
    assert [(r.file, r.where, r.message) for r in rows] == [
        ("d.csv", "row 7, column 'Field Type'", "The field type 'slidr' is unknown"),
        ("q.json", "field 'item'", "No items"),
        ("s.lss", "item 'Q1'", "X"),
        ("s.lss", "the whole file", "The file is empty"),
    ]


# ----------------------------------------------------------------------- the signed file


def test_the_signed_file_comes_back_as_it_was(workspace: Any) -> None:
    data = bytes(range(256)) * 50
    text = sign_upload(_access(workspace), System.REDCAP, SourceFile("d.zip", data))
    assert unsign_upload(_access(workspace), text) == (System.REDCAP, SourceFile("d.zip", data))


def test_the_signed_file_is_refused_for_anyone_else_or_when_changed_or_old(
    workspace: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = sign_upload(_access(workspace), System.FHIR, SourceFile("q.json", FHIR))
    assert unsign_upload(_access(workspace, "evaluator"), text) is None  # another person
    other = Membership.objects.get(user=workspace.outsider)
    assert unsign_upload(Access(workspace.other_organisation, other), text) is None
    assert unsign_upload(_access(workspace), text[:-2] + "xx") is None
    assert unsign_upload(_access(workspace), "") is None
    forged = signing.dumps({"organisation": 1}, salt="another purpose")
    assert unsign_upload(_access(workspace), forged) is None
    monkeypatch.setattr(instrument_interop, "PREVIEW_SECONDS", -1)
    assert unsign_upload(_access(workspace), text) is None


def test_a_changed_or_expired_confirmation_keeps_nothing_and_says_so(workspace: Any) -> None:
    client = client_as(workspace.users["evaluator"])
    text = sign_upload(_access(workspace, "admin"), System.FHIR, SourceFile("q.json", FHIR))
    response = client.post(
        _url("instrument_import_confirm"), {"payload": text, "instrument_id": "mine"}, follow=True
    )
    assert response.redirect_chain == [(_url("instrument_import"), 302)]
    assert "The check of that file has expired or was changed: upload it again." in (
        response.content.decode()
    )
    assert not InstrumentFile.objects.exists()


def test_download_names_are_safe() -> None:
    assert safe_file_name('a b/c\\d"e;.csv') == "a-b-c-d-e-.csv"
    assert safe_file_name("imh-core-1.0.0-fhir-questionnaire.json") == (
        "imh-core-1.0.0-fhir-questionnaire.json"
    )
