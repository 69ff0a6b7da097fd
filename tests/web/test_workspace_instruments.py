"""The instruments page: the built-in bank, uploads (checked in full, nothing kept on error)
and each instrument's domains and items."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from test_capture_preview import _iframe_src, _walk

from imheval.instruments import list_builtin
from imheval.web.organisations.models import AuditEvent
from imheval.web.workspace.models import InstrumentFile

VALID = """\
format: imheval-instrument/1
id: trust-reflection
version: "1"
title: Trust reflection questions
levels: [beginner]
domains:
  - id: reflection
    label: Reflection
  - id: confidence
    label: Confidence
scales:
  agree: {min: 1, max: 4}
items:
  - id: R1
    domain: reflection
    text: What is a baby's first relationship?
    options: {a: With a parent or carer, b: With a sibling}
    key: a
  - id: C1
    domain: confidence
    text: I feel able to talk with parents about their baby's feelings.
    scale: agree
    reverse: true
"""


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _url(name: str, **kwargs: Any) -> str:
    return reverse(f"workspace:{name}", kwargs={"org": "northern", **kwargs})


def _upload(client: Client, text: str | bytes, name: str = "trust.yaml") -> Any:
    content = text.encode() if isinstance(text, str) else text
    return client.post(_url("instrument_upload"), {"file": SimpleUploadedFile(name, content)})


def test_instruments_page_lists_the_built_in_bank(workspace: Any) -> None:
    response = _client(workspace.users["viewer"]).get(_url("instruments"))
    assert response.status_code == 200
    page = response.content.decode()
    bank = list_builtin()
    assert [e.instrument_id for e in response.context["built_in"]] == [i.id for i in bank]
    core = next(e for e in response.context["built_in"] if e.instrument_id == "imh-core")
    assert core.domains == ["Knowledge", "Risk identification", "Self-efficacy"]
    # imh-core 2.0.0: one form's 13 + 15 questions and the 10 ratings both forms ask
    assert (core.item_count, core.items_text) == (38, "38 a form (2 forms)")
    assert core.summary.endswith("; 38 items a form, 2 forms")
    assert "Knowledge, Risk identification, Self-efficacy" in page
    assert "No instruments have been uploaded yet." in page
    assert "Upload an instrument" not in page  # a viewer may not


def test_evaluator_uploads_an_instrument_and_sees_its_domains_and_items(workspace: Any) -> None:
    client = _client(workspace.users["evaluator"])
    assert "Upload an instrument" in client.get(_url("instruments")).content.decode()
    response = _upload(client, VALID)
    saved = InstrumentFile.objects.get(organisation=workspace.organisation)
    assert response.status_code == 302
    assert response["Location"] == _url("instrument_file", instrument_file=saved.pk)
    assert (saved.instrument_id, saved.title, saved.source_name) == (
        "trust-reflection",
        "Trust reflection questions",
        "trust.yaml",
    )
    assert saved.text == VALID
    event = AuditEvent.objects.get(object_type="instrument file")
    assert (event.action, event.actor) == ("created", workspace.users["evaluator"])
    page = client.get(response["Location"]).content.decode()
    assert "<h2>Reflection</h2>" in page and "<h2>Confidence</h2>" in page
    assert "What is a baby&#x27;s first relationship?" in page
    assert "Choice of 2 (1 correct)" in page and "Rating 1 to 4, reverse scored" in page
    listing = client.get(_url("instruments")).content.decode()
    assert "Trust reflection questions" in listing and "Reflection, Confidence" in listing


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (
            VALID.replace("    key: a", "    key: c"),
            "trust.yaml, item &#x27;R1&#x27;: key [&#x27;c&#x27;] is not among the options",
        ),
        ("format: [unclosed\n", "trust.yaml: is not valid YAML at line 2"),
        (
            VALID.replace("id: trust-reflection", "id: imh-core"),
            "trust.yaml, field &#x27;id&#x27;: the id &#x27;imh-core&#x27; belongs to a built-in",
        ),
    ],
)
def test_an_invalid_instrument_is_refused_naming_the_problem(
    workspace: Any, text: str, problem: str
) -> None:
    response = _upload(_client(workspace.users["evaluator"]), text)
    assert response.status_code == 200
    page = response.content.decode()
    assert '<div class="nhsuk-error-summary"' in page
    assert f'<li><a href="#id_file">{problem}' in page
    assert not InstrumentFile.objects.exists()
    assert not AuditEvent.objects.filter(object_type="instrument file").exists()


def test_upload_refuses_other_file_types_large_files_and_non_utf8(workspace: Any) -> None:
    client = _client(workspace.users["evaluator"])
    page = _upload(client, VALID, name="trust.docx").content.decode()
    assert "trust.docx must be a YAML file, with a name ending .yaml or .yml" in page
    page = _upload(client, VALID + "#" * (201 * 1024)).content.decode()
    assert "an instrument file must be at most 200 KB" in page
    page = _upload(client, VALID.encode("utf-16")).content.decode()
    assert "trust.yaml is not plain text in UTF-8" in page
    page = client.post(_url("instrument_upload"), {}).content.decode()
    assert '<a href="#id_file">Choose an instrument file to upload</a>' in page
    assert not InstrumentFile.objects.exists()


def test_an_instrument_id_is_uploaded_once(workspace: Any) -> None:
    client = _client(workspace.users["evaluator"])
    _upload(client, VALID)
    page = _upload(client, VALID.replace("Trust reflection", "Other")).content.decode()
    assert (
        "you have already uploaded an instrument with the id &#x27;trust-reflection&#x27;" in page
    )
    assert InstrumentFile.objects.get().title == "Trust reflection questions"


@pytest.mark.parametrize("role", ["trainer", "viewer"])
def test_only_evaluators_and_admins_upload(workspace: Any, role: str) -> None:
    client = _client(workspace.users[role])
    assert client.get(_url("instrument_upload")).status_code == 403
    assert _upload(client, VALID).status_code == 403
    assert not InstrumentFile.objects.exists()


def test_built_in_instrument_page_lists_domains_and_items(workspace: Any) -> None:
    client = _client(workspace.users["trainer"])
    response = client.get(_url("instrument_builtin", instrument_id="imh-core"))
    page = response.content.decode()
    assert "Infant mental health core questionnaire" in page
    assert "<h2>Knowledge</h2>" in page and "<h2>Self-efficacy</h2>" in page
    assert '<th class="nhsuk-table__header" scope="row">KA01</th>' in page  # 2.0.0, current
    assert "A version of a built-in instrument never changes" not in page  # a trainer cannot copy
    assert client.get(_url("instrument_builtin", instrument_id="nope")).status_code == 404
    page = _client(workspace.users["evaluator"]).get(
        _url("instrument_builtin", instrument_id="imh-core")
    )
    assert (
        "A version of a built-in instrument never changes: a new version is added beside it, and "
        "questionnaires already set up keep the version they ask." in page.content.decode()
    )


def test_another_organisations_upload_is_not_found(workspace: Any) -> None:
    theirs = InstrumentFile.from_upload(workspace.other_organisation, "trust.yaml", VALID)
    theirs.save()
    client = _client(workspace.users["evaluator"])
    assert client.get(_url("instrument_file", instrument_file=theirs.pk)).status_code == 404
    assert "Trust reflection" not in client.get(_url("instruments")).content.decode()


def test_an_uploaded_instrument_s_page_lists_its_item_writing_advice(workspace: Any) -> None:
    client = _client(workspace.users["evaluator"])
    cued = VALID.replace(
        "    options: {a: With a parent or carer, b: With a sibling}",
        "    options: {a: With a parent or carer, b: Always with a sibling, c: Never with anyone}",
    )
    response = _upload(client, cued)
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert 'id="advice"' in page and "Item-writing advice" in page
    assert "R1: " in page and "test-wise readers will find it" in page
    # a file with nothing to advise shows no advice
    clean = _upload(client, VALID.replace("trust-reflection", "clean-one"))
    assert 'id="advice"' not in client.get(clean["Location"]).content.decode()


def test_staff_see_each_wrong_answer_s_misconception_and_participants_never_do(
    workspace: Any,
) -> None:
    client = _client(workspace.users["evaluator"])
    explained = VALID.replace(
        "    key: a\n",
        "    key: a\n    misconceptions:\n      b: Siblings come first for a newborn\n",
    )
    response = _upload(client, explained)
    page = client.get(response["Location"]).content.decode()
    assert "Wrong answers and the misconception each one targets" in page
    assert "<strong>b</strong>: Siblings come first for a newborn" in page
    preview = reverse("preview:instrument", args=[workspace.organisation.slug, "trust-reflection"])
    # every page a participant meets, in the phone preview
    shown = " ".join(_walk(client, _iframe_src(client.get(preview).content.decode()), None))
    assert "With a sibling" in shown  # the option is asked
    assert "Siblings come first" not in shown and "misconception" not in shown
