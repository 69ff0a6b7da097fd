"""Instruments from other systems' structure files, through the web page, and back out.

The import reads the real files (the shared fixtures, in place) with the core's readers: the
preview shows what is carried, what is not and the questions with no right answer, before
anything is kept; keying one and confirming saves exactly the instrument the core makes of the
file with that key; a file the core refuses keeps nothing and lists every problem. The
downloads are the core writers' bytes, and a download imported again is the same instrument.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from conftest import client_as
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape
from test_interop_instruments_access import problem_table

from imheval.errors import ImhevalError, InstrumentError, Problem
from imheval.instruments import KeyedItem, RatingItem, get_builtin
from imheval.instruments.writer import instrument_to_yaml
from imheval.interop import SourceFile, System, apply_keys, export_instrument, read_structure
from imheval.interop.convert import export_instrument_zip
from imheval.interop.fhir.export import write_questionnaire
from imheval.interop.limesurvey.export import write_lss
from imheval.interop.model import KeysNeededError
from imheval.interop.redcap.export import write_dictionary, write_instrument_zip
from imheval.web.organisations.models import AuditEvent
from imheval.web.workspace import instrument_interop
from imheval.web.workspace.instrument_interop import EXPORTS, page_words
from imheval.web.workspace.models import InstrumentFile
from shared_fixtures import shared_fixture

REDCAP_EXAMPLE = ("interop", "redcap_data_dictionary.csv")
#: The example dictionary's checkbox options: choice questions nothing scores.
UNKEYED = ["roles___1", "roles___2", "roles___3", "roles___4"]
HEADER = (
    '"Variable / Field Name","Form Name","Section Header","Field Type","Field Label",'
    '"Choices, Calculations, OR Slider Labels","Field Note",'
    '"Text Validation Type OR Show Slider Number","Text Validation Min","Text Validation Max",'
    '"Identifier?","Branching Logic (Show field only if...)","Required Field?",'
    '"Custom Alignment","Question Number (surveys only)","Matrix Group Name",'
    '"Matrix Ranking?","Field Annotation"\n'
)


def _url(name: str, **kwargs: Any) -> str:
    return reverse(f"workspace:{name}", kwargs={"org": "northern", **kwargs})


def _upload(client: Any, system: str, path: Path, name: str | None = None) -> Any:
    upload = SimpleUploadedFile(name or path.name, path.read_bytes())
    return client.post(_url("instrument_import"), {"system": system, "file": upload})


def _payload(html: str) -> str:
    found = re.search(r'name="payload" value="([^"]+)"', html)
    assert found, "the preview carries the signed file"
    return found.group(1)


def _core(system: System, path: Path) -> Any:
    return read_structure(system, SourceFile(path.name, path.read_bytes()))


@pytest.fixture
def evaluator(workspace: Any) -> Any:
    return client_as(workspace.users["evaluator"])


# ----------------------------------------------------------------------- the preview


def test_the_preview_shows_what_is_carried_what_is_not_and_the_questions_to_key(
    workspace: Any, evaluator: Any
) -> None:
    events = AuditEvent.objects.count()
    response = _upload(evaluator, "redcap", shared_fixture(*REDCAP_EXAMPLE))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Check before importing redcap_data_dictionary.csv – imheval</title>" in html
    # the questions carried: domain, id, question, REDCap's name, how each is answered
    rows = re.findall(r"<tr class=\"nhsuk-table__row\">\s*((?:<td.*?</td>\s*){5})</tr>", html)
    cells = [re.findall(r"</span>(.*?)</td>", row, re.S) for row in rows]
    assert cells == [
        [
            "Knowledge",
            "k1",
            "The period of most rapid brain growth is",
            "k1",
            "Right answer: 1 (Conception to age 3); 4 options",
        ],
        [
            "Self-efficacy",
            "se1",
            "I feel confident talking to parents about their baby&#x27;s emotional needs",
            "se1",
            "Rating on the scale se_grid (1 Strongly disagree to 5 Strongly agree)",
        ],
        [
            "Self-efficacy",
            "se2",
            "I can recognise a stressed infant",
            "se2",
            "Rating on the scale se_grid (1 Strongly disagree to 5 Strongly agree)",
        ],
    ]
    assert "3: 1 with a right answer, 2 ratings, 0 open; and 4 with no right answer" in html
    assert "<code>own_code</code> holds the self-generated code." in html
    # what is not carried, in the page's words (never the command line's --key)
    structure = _core(System.REDCAP, shared_fixture(*REDCAP_EXAMPLE))
    assert len(structure.omissions) == 4
    for omission in structure.omissions:
        assert f"In the file </span>{escape(omission.where)}</td>" in html
    assert "--key" not in html
    assert html.count("choose its right answer below, under") == 4
    # one select per question with no right answer, offering its options or leaving it out
    for item in UNKEYED:
        assert f'<select class="nhsuk-select" id="id_key-{item}" name="key-{item}"' in html
    assert '<option value="">No right answer: leave the question out</option>' in html
    assert '<option value="1">1: Ticked</option><option value="0">0: Not ticked</option>' in html
    assert 'name="instrument_id" type="text" value="imh_knowledge"' in html
    # nothing is kept yet
    assert not InstrumentFile.objects.exists()
    assert AuditEvent.objects.count() == events


def test_keying_a_question_then_confirming_saves_the_cores_instrument(
    workspace: Any, evaluator: Any
) -> None:
    path = shared_fixture(*REDCAP_EXAMPLE)
    preview = _upload(evaluator, "redcap", path).content.decode()
    response = evaluator.post(
        _url("instrument_import_confirm"),
        {
            "payload": _payload(preview),
            "instrument_id": "our-knowledge",
            "key-roles___3": "1",
            "key-roles___1": "",
        },
    )
    saved = InstrumentFile.objects.get()
    assert response.status_code == 302
    assert response["Location"] == _url("instrument_file", instrument_file=saved.pk)
    expected = apply_keys(_core(System.REDCAP, path), {"roles___3": ["1"]}).instrument
    expected = expected.model_copy(update={"id": "our-knowledge"})
    assert saved.text == instrument_to_yaml(expected)
    instrument = saved.instrument()
    assert [q.id for q in instrument.questions] == ["k1", "se1", "se2", "roles___3"]
    keyed = instrument.questions[3]
    assert isinstance(keyed, KeyedItem) and keyed.key == ("1",) and keyed.points == 1
    assert keyed.text == "Which services do you work in?: Health visiting"
    assert (saved.organisation, saved.instrument_id, saved.title) == (
        workspace.organisation,
        "our-knowledge",
        "Imh knowledge",
    )
    assert saved.source_name == "redcap_data_dictionary.csv (from REDCap)"
    event = AuditEvent.objects.get(
        object_type="instrument file", object_id=str(saved.pk), action="created"
    )
    assert event.actor_id == workspace.users["evaluator"].pk
    assert event.organisation == workspace.organisation
    assert event.changes["instrument_id"] == [None, "our-knowledge"]
    page = evaluator.get(response["Location"])
    html = page.content.decode()
    assert "Instrument our-knowledge imported from redcap_data_dictionary.csv: 4 questions; " in (
        html
    )
    assert "3 questions with no right answer left out." in html
    assert "redcap_data_dictionary.csv (from REDCap), added" in html
    # the editor opens it like any other file of the organisation's
    editor = evaluator.get(_url("instrument_edit", instrument_file=saved.pk))
    assert editor.status_code == 200 and "roles___3" in editor.content.decode()


def test_confirming_with_no_key_saves_the_questions_carried(workspace: Any, evaluator: Any) -> None:
    path = shared_fixture(*REDCAP_EXAMPLE)
    preview = _upload(evaluator, "redcap", path).content.decode()
    response = evaluator.post(
        _url("instrument_import_confirm"),
        {"payload": _payload(preview), "instrument_id": "imh_knowledge"},
    )
    assert response.status_code == 302
    saved = InstrumentFile.objects.get()
    assert saved.text == instrument_to_yaml(_core(System.REDCAP, path).instrument)


@pytest.mark.parametrize(
    ("wanted", "message"),
    [
        ("imh-core", "The id &#x27;imh-core&#x27; belongs to a built-in instrument"),
        ("taken-here", "Northern HSC Trust already has an instrument &#x27;taken-here&#x27;"),
        ("1 bad", "The id must start with a letter and hold only letters, digits"),
        ("x" * 65, "at most 64 characters"),
        ("", "Give the instrument an id"),
    ],
)
def test_an_id_that_cannot_be_used_keeps_nothing_and_keeps_the_choices(
    workspace: Any, evaluator: Any, wanted: str, message: str
) -> None:
    yaml = instrument_to_yaml(get_builtin("imh-reaction"))
    yaml = yaml.replace("\nid: imh-reaction\n", "\nid: taken-here\n", 1)
    taken = InstrumentFile.from_upload(workspace.organisation, "t.yaml", yaml)
    taken.save()
    preview = _upload(evaluator, "redcap", shared_fixture(*REDCAP_EXAMPLE)).content.decode()
    response = evaluator.post(
        _url("instrument_import_confirm"),
        {"payload": _payload(preview), "instrument_id": wanted, "key-roles___2": "0"},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert message in html
    assert '<a href="#id_instrument_id">' in html  # the error summary links to the box
    assert '<option value="0" selected>0: Not ticked</option>' in html
    assert InstrumentFile.objects.get() == taken


def test_the_suggested_id_is_one_the_organisation_has_not_used(
    workspace: Any, evaluator: Any
) -> None:
    path = shared_fixture(*REDCAP_EXAMPLE)
    first = _upload(evaluator, "redcap", path).content.decode()
    evaluator.post(
        _url("instrument_import_confirm"),
        {"payload": _payload(first), "instrument_id": "imh_knowledge"},
    )
    again = _upload(evaluator, "redcap", path).content.decode()
    assert 'name="instrument_id" type="text" value="imh_knowledge-2"' in again


def test_a_key_that_is_not_an_option_is_refused_and_nothing_kept(
    workspace: Any, evaluator: Any
) -> None:
    preview = _upload(evaluator, "redcap", shared_fixture(*REDCAP_EXAMPLE)).content.decode()
    response = evaluator.post(
        _url("instrument_import_confirm"),
        {"payload": _payload(preview), "instrument_id": "mine", "key-roles___4": "7"},
    )
    assert response.status_code == 400
    assert "Choose one of the answers to roles___4, or leave the question out" in (
        response.content.decode()
    )
    assert not InstrumentFile.objects.exists()


def test_a_problem_found_when_saving_is_listed_and_nothing_kept(
    workspace: Any, evaluator: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The keys are applied by the core when confirming: its refusal is listed in full."""
    preview = _upload(evaluator, "redcap", shared_fixture(*REDCAP_EXAMPLE)).content.decode()

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise InstrumentError(
            [Problem(file=kwargs["given_as"], message="roles___1: the keyed questions clash")]
        )

    monkeypatch.setattr(instrument_interop, "apply_keys", refuse)
    response = evaluator.post(
        _url("instrument_import_confirm"),
        {"payload": _payload(preview), "instrument_id": "mine", "key-roles___1": "1"},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem: nothing was imported" in html
    assert problem_table(html) == [
        ("The right answers chosen", "the whole file", "Roles___1: the keyed questions clash")
    ]
    assert not InstrumentFile.objects.exists()


# ----------------------------------------------------------------------- refusals


def test_a_bad_dictionary_imports_nothing_and_lists_every_problem(
    workspace: Any, evaluator: Any
) -> None:
    rows = (
        "record_id,quiz,,text,Record ID,,,,,,,,,,,,,\n"
        'k1,quiz,,radoi,"Q one","1, A | 2, B",,,,,,,,,,,,\n'
        'k1,quiz,,radio,"Q again","1, A | 2, B",,,,,,,,,,,,\n'
    )
    upload = SimpleUploadedFile("bad dictionary.csv", (HEADER + rows).encode())
    events = AuditEvent.objects.count()
    response = evaluator.post(_url("instrument_import"), {"system": "redcap", "file": upload})
    html = response.content.decode()
    assert response.status_code == 400
    assert "<title>Error: Import an instrument from another system – imheval</title>" in html
    assert "bad dictionary.csv could not be read as an instrument. Nothing was kept." in html
    assert problem_table(html) == [
        (
            "bad dictionary.csv",
            "row 3, column &#x27;Field Type&#x27;",
            "Field &#x27;k1&#x27; has the field type &#x27;radoi&#x27;, which REDCap does not "
            "have; use one of: text, notes, radio, dropdown, checkbox, yesno, truefalse, calc, "
            "slider, descriptive, file, sql",
        ),
        (
            "bad dictionary.csv",
            "row 4, column &#x27;Variable / Field Name&#x27;",
            "The field name &#x27;k1&#x27; is used again (first on row 3); every field needs "
            "its own name",
        ),
    ]
    assert 'value="redcap" checked' in html  # the choice is kept for the next try
    assert not InstrumentFile.objects.exists()
    assert AuditEvent.objects.count() == events


def test_more_than_two_hundred_problems_are_counted_not_listed(
    workspace: Any, evaluator: Any
) -> None:
    rows = "".join(f'k{n},quiz,,radoi,"Q {n}","1, A | 2, B",,,,,,,,,,,,\n' for n in range(250))
    upload = SimpleUploadedFile("many.csv", (HEADER + rows).encode())
    response = evaluator.post(_url("instrument_import"), {"system": "redcap", "file": upload})
    html = response.content.decode()
    assert response.status_code == 400
    assert html.count("which REDCap does not have") == 200
    assert "And 50 more problems." in html
    assert "See the 250 problems below" in html


def test_the_command_lines_words_are_put_as_the_page_puts_them() -> None:
    assert page_words(
        "a choice question with no answer key (no calculation scores it), so it is left out; "
        "to score it, give its key with --key roles___1=CODE (its options: 1 = Ticked)"
    ) == (
        "a choice question with no answer key (no calculation scores it), so it is left out; "
        "to score it, choose its right answer below, under 'Questions with no right answer' "
        "(its options: 1 = Ticked)"
    )
    assert page_words("no answer key; give it with --key q2[SQ1]=<code> (codes: 1, 2)") == (
        "no answer key; choose its right answer below, under 'Questions with no right answer' "
        "(codes: 1, 2)"
    )
    assert page_words("not a REDCap export: choose LimeSurvey (--from limesurvey)") == (
        "not a REDCap export: choose LimeSurvey"
    )
    assert page_words("Give the answer key of at least one with --key FIELD=CODE, or add a") == (
        "Add a"
    )


# ----------------------------------------------------------------------- every real file

REAL = [
    *[("redcap", p) for p in ("hbcd_perinatal_dictionary_bom.csv", "redcapapi_dictionary.csv")],
    *[
        ("redcap", p)
        for p in (
            "redcapr_checkboxes_dictionary.csv",
            "redcapr_longitudinal_dictionary.csv",
            "redcapr_problematic_dictionary_bom.csv",
            "redcapr_repeating_dictionary.csv",
            "redcapr_simple_metadata_api_colnames.csv",
            "redcapr_survey_dictionary.csv",
            "redcapr_validation_types_dictionary.csv",
            "rsvc_dictionary_excel_saved_crlf.csv",
            "surveyor_legacy_14col_cr_only.csv",
            "surveyor_legacy_14col_dictionary.csv",
            "surveyor_transitional_headers_cr_only.csv",
        )
    ],
    *[
        ("limesurvey", p)
        for p in (
            "ls25_survey_853735_mixed_eol.lss",
            "ls2_survey_981966_assessments_crlf.lss",
            "ls2_survey_981966_tab_structure.txt",
            "ls5_group_1370.lsg",
            "ls6_survey_one_question_et_en.lss",
            "ls_tab_structure_one_question.txt",
        )
    ],
    *[
        ("fhir", p)
        for p in (
            "argonaut_phq9_questionnaire.json",
            "lforms_r4_apgar_itemweight_questionnaire.json",
            "lforms_r4_phq9_questionnaire.json",
            "sdc_phq9_questionnaire.json",
            "sdc_trivia_quiz_questionnaire.xml",
        )
    ],
]


@pytest.mark.parametrize(("system", "name"), REAL)
def test_every_real_structure_file_is_previewed_or_refused_as_the_core_reads_it(
    workspace: Any, evaluator: Any, system: str, name: str
) -> None:
    path = shared_fixture("interop", "real", system, name)
    response = _upload(evaluator, system, path)
    html = response.content.decode()
    try:
        structure = _core(System(system), path)
    except KeysNeededError as needed:  # nothing scored yet: the questions to key are shown
        assert response.status_code == 200
        assert f"Nothing in {name} is scored yet" in html
        assert html.count('<select class="nhsuk-select"') == len(needed.pending.unkeyed)
        assert 'aria-hidden="true">Domain </span>' not in html
        assert html.count('aria-hidden="true">Why </span>') == len(needed.pending.omissions)
    except ImhevalError as error:
        assert response.status_code == 400
        assert "There is a problem: nothing was imported" in html
        for problem in error.problems:
            shown = page_words(problem.message)
            assert escape(shown[:1].upper() + shown[1:]) in html
    else:
        assert response.status_code == 200
        assert f"{len(structure.instrument.questions)}: " in html
        assert html.count('<select class="nhsuk-select"') == len(structure.unkeyed)
        assert html.count('aria-hidden="true">Domain </span>') == len(
            structure.instrument.questions
        )
        assert html.count('aria-hidden="true">Why </span>') == len(structure.omissions)
    assert not InstrumentFile.objects.exists()


def test_a_dictionary_that_scores_nothing_is_imported_once_a_question_is_keyed(
    workspace: Any, evaluator: Any
) -> None:
    rows = (
        "record_id,quiz,,text,Record ID,,,,,,,,,,,,,\n"
        'k1,quiz,Knowledge,radio,"Babies communicate by crying","a, True | b, False",,,,,,,,,,,,\n'
        'k2,quiz,,radio,"Comfort spoils a baby","a, True | b, False",,,,,,,,,,,,\n'
    )
    upload = SimpleUploadedFile("quiz.csv", (HEADER + rows).encode())
    preview = evaluator.post(_url("instrument_import"), {"system": "redcap", "file": upload})
    html = preview.content.decode()
    assert preview.status_code == 200
    assert "Nothing in quiz.csv is scored yet" in html
    assert "0: 0 with a right answer, 0 ratings, 0 open; and 2 with no right answer" in html
    assert 'name="instrument_id" type="text" value="quiz"' in html
    payload = _payload(html)
    refused = evaluator.post(
        _url("instrument_import_confirm"), {"payload": payload, "instrument_id": "quiz"}
    )
    assert refused.status_code == 400
    assert (
        '<a href="#id_key-k1">Nothing in the file is scored yet: choose the right answer to at '
        "least one question</a>"
    ) in refused.content.decode()
    assert not InstrumentFile.objects.exists()
    saved = evaluator.post(
        _url("instrument_import_confirm"),
        {"payload": payload, "instrument_id": "quiz", "key-k2": "b"},
    )
    assert saved.status_code == 302
    instrument = InstrumentFile.objects.get().instrument()
    [question] = instrument.questions
    assert isinstance(question, KeyedItem)
    assert (question.id, question.key, question.options) == (
        "k2",
        ("b",),
        {"a": "True", "b": "False"},
    )
    assert [(d.id, d.label) for d in instrument.domains] == [("knowledge", "Knowledge")]


def test_a_real_fhir_phq9_is_imported_with_its_unscored_question_keyed(
    workspace: Any, evaluator: Any
) -> None:
    path = shared_fixture("interop", "real", "fhir", "lforms_r4_phq9_questionnaire.json")
    structure = _core(System.FHIR, path)
    [question] = structure.unkeyed
    code = next(iter(question.options))
    preview = _upload(evaluator, "fhir", path).content.decode()
    response = evaluator.post(
        _url("instrument_import_confirm"),
        {
            "payload": _payload(preview),
            "instrument_id": "phq9-ours",
            f"key-{question.item}": code,
        },
    )
    assert response.status_code == 302
    instrument = InstrumentFile.objects.get().instrument()
    assert len(instrument.questions) == len(structure.instrument.questions) + 1
    keyed = next(q for q in instrument.questions if q.id == question.item)
    assert isinstance(keyed, KeyedItem) and keyed.key == (code,)
    ratings = [q for q in instrument.questions if isinstance(q, RatingItem)]
    assert len(ratings) == 9  # the nine PHQ-9 items, scored 0 to 3 by their ordinal values
    assert {instrument.scales[q.scale].min for q in ratings} == {0}


def test_a_real_limesurvey_survey_is_imported(workspace: Any, evaluator: Any) -> None:
    path = shared_fixture("interop", "real", "limesurvey", "ls2_survey_981966_assessments_crlf.lss")
    structure = _core(System.LIMESURVEY, path)
    preview = _upload(evaluator, "limesurvey", path).content.decode()
    response = evaluator.post(
        _url("instrument_import_confirm"),
        {"payload": _payload(preview), "instrument_id": "rgi-survey"},
    )
    assert response.status_code == 302
    saved = InstrumentFile.objects.get()
    expected = structure.instrument.model_copy(update={"id": "rgi-survey"})
    assert saved.text == instrument_to_yaml(expected)


# ----------------------------------------------------------------------- downloads

#: What each download holds, made by the core's writers directly.
WRITERS = {
    "redcap-dictionary": (lambda i: write_dictionary(i).encode("utf-8"), "text/csv"),
    "redcap-instrument": (write_instrument_zip, "application/zip"),
    "limesurvey": (lambda i: write_lss(i).encode("utf-8"), "application/xml"),
    "fhir": (lambda i: write_questionnaire(i).encode("utf-8"), "application/fhir+json"),
}
SUFFIXES = {
    "redcap-dictionary": "-redcap-dictionary.csv",
    "redcap-instrument": "-redcap-instrument.zip",
    "limesurvey": ".lss",
    "fhir": "-questionnaire.json",
}


def test_the_downloads_are_the_lists_of_the_page() -> None:
    assert set(EXPORTS) == set(WRITERS)


@pytest.mark.parametrize("key", list(WRITERS))
@pytest.mark.parametrize("instrument_id", ["imh-core", "imh-reaction", "imh-advanced-knowledge"])
def test_a_built_in_instrument_downloads_as_the_core_writes_it(
    workspace: Any, key: str, instrument_id: str
) -> None:
    """In the words of the organisation's jurisdiction (England): imh-core has wording."""
    builtin = get_builtin(instrument_id)
    client = client_as(workspace.users["viewer"])
    url = _url("instrument_builtin_export", instrument_id=instrument_id, file_format=key)
    response = client.get(url)
    write, media_type = WRITERS[key]
    assert response.status_code == 200
    worded = builtin.in_jurisdiction(workspace.organisation.jurisdiction)
    assert response.content == write(worded)
    charset = "" if key == "redcap-instrument" else "; charset=utf-8"
    assert response["Content-Type"] == media_type + charset
    name = f"{instrument_id}-{builtin.version}{SUFFIXES[key]}"
    assert response["Content-Disposition"] == f'attachment; filename="{name}"'


def test_imh_core_downloads_in_the_organisations_own_words(workspace: Any) -> None:
    client = client_as(workspace.users["viewer"])
    url = _url("instrument_builtin_export", instrument_id="imh-core", file_format="fhir")
    england = client.get(url).content
    workspace.organisation.jurisdiction = "ireland"
    workspace.organisation.save()
    ireland = client.get(url).content
    core = get_builtin("imh-core")
    assert ireland == export_instrument(core.in_jurisdiction("ireland"), System.FHIR).data
    assert england != ireland
    assert b"{" + b"health_visitor}" not in england  # no term is left unworded


@pytest.mark.parametrize("key", list(WRITERS))
def test_an_organisations_instrument_downloads_as_the_core_writes_it(
    workspace: Any, key: str
) -> None:
    yaml = instrument_to_yaml(get_builtin("imh-reaction"))
    yaml = yaml.replace("\nid: imh-reaction\n", "\nid: our_reaction\n", 1)
    saved = InstrumentFile.from_upload(workspace.organisation, "ours.yaml", yaml)
    saved.save()
    instrument = saved.instrument()
    response = client_as(workspace.users["trainer"]).get(
        _url("instrument_file_export", instrument_file=saved.pk, file_format=key)
    )
    assert response.status_code == 200
    assert response.content == WRITERS[key][0](instrument)
    name = f"our_reaction-{instrument.version}{SUFFIXES[key]}"
    assert response["Content-Disposition"] == f'attachment; filename="{name}"'


def test_the_zip_download_is_the_cores_instrument_zip(workspace: Any) -> None:
    core = get_builtin("imh-reaction")
    response = client_as(workspace.users["viewer"]).get(
        _url(
            "instrument_builtin_export",
            instrument_id="imh-reaction",
            file_format="redcap-instrument",
        )
    )
    assert response.content == export_instrument_zip(core).data


def test_an_unknown_download_or_instrument_is_not_found(workspace: Any) -> None:
    client = client_as(workspace.users["admin"])
    for kwargs in (
        {"instrument_id": "imh-core", "file_format": "csv"},
        {"instrument_id": "no-such-thing", "file_format": "fhir"},
    ):
        assert client.get(_url("instrument_builtin_export", **kwargs)).status_code == 404
    url = _url("instrument_file_export", instrument_file=99999, file_format="fhir")
    assert client.get(url).status_code == 404


def test_a_file_that_no_longer_reads_is_not_downloaded_and_says_why(workspace: Any) -> None:
    broken = InstrumentFile.objects.create(
        organisation=workspace.organisation,
        instrument_id="broken",
        title="Broken",
        source_name="broken.yaml",
        text="format: imheval-instrument/1\nid: broken\n",
    )
    response = client_as(workspace.users["admin"]).get(
        _url("instrument_file_export", instrument_file=broken.pk, file_format="fhir")
    )
    html = response.content.decode()
    assert response.status_code == 409
    assert "This instrument cannot be downloaded" in html
    assert "broken.yaml" in html and "Nothing was downloaded." in html


def test_an_instrument_the_writer_refuses_is_not_downloaded_and_says_why(
    workspace: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(instrument: Any, system: System) -> Any:
        raise InstrumentError([Problem(file=instrument.id, item="K1", message="too long")])

    monkeypatch.setattr(instrument_interop, "export_instrument", refuse)
    response = client_as(workspace.users["admin"]).get(
        _url("instrument_builtin_export", instrument_id="imh-core", file_format="limesurvey")
    )
    html = response.content.decode()
    assert response.status_code == 409
    assert "cannot be downloaded as a LimeSurvey survey (.lss)" in html
    assert "item &#x27;K1&#x27;" in html and "Too long" in html


# ----------------------------------------------------------------------- round trips


@pytest.mark.parametrize(
    ("key", "system", "name"),
    [
        ("redcap-dictionary", "redcap", "x.csv"),
        ("redcap-instrument", "redcap", "x.zip"),
        ("limesurvey", "limesurvey", "x.lss"),
        ("fhir", "fhir", "x.json"),
    ],
)
def test_a_download_imported_again_is_the_same_instrument(
    workspace: Any, evaluator: Any, key: str, system: str, name: str
) -> None:
    """imh-reaction out to each system and back in through the pages: same ids, domains,
    scales, keys and texts (the id is changed on the way in: the built-in keeps its own)."""
    builtin = get_builtin("imh-reaction")
    url = _url("instrument_builtin_export", instrument_id="imh-reaction", file_format=key)
    data = evaluator.get(url).content
    preview = evaluator.post(
        _url("instrument_import"), {"system": system, "file": SimpleUploadedFile(name, data)}
    )
    assert preview.status_code == 200
    evaluator.post(
        _url("instrument_import_confirm"),
        {"payload": _payload(preview.content.decode()), "instrument_id": "reaction-back"},
    )
    back = InstrumentFile.objects.get().instrument()
    assert _carried(back) == _carried(builtin)
    assert back.scales == builtin.scales
    assert (back.title, back.version) == (builtin.title, builtin.version)


def _carried(instrument: Any) -> tuple[Any, ...]:
    """What every format carries (design: ids, texts, domains, options, keys, points, scales,
    reverse keying); notes for staff such as concepts may be lost on the way."""
    kept = {"kind", "id", "domain", "text", "options", "key", "points", "scale", "reverse"}
    return (
        [(d.id, d.label) for d in instrument.domains],
        [q.model_dump(include=kept) for q in instrument.questions],
    )
