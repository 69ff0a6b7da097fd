"""Each system through the import page into cohort SOL-1 (imh-core 1.0.0 at pre, post and
follow-up): a Microsoft Forms quiz download, a LimeSurvey response export, FHIR
QuestionnaireResponses in a Bundle, and REDCap with a structure file (imheval's own dictionary,
and another project's, which is refused). Each export carries the identifying data its system
really holds (Forms' Email and Name, LimeSurvey's IP address, FHIR's subject), which is dropped,
listed on the preview, and never stored.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import openpyxl
import pytest
from test_interop_import import cells, post_files, stored_text
from test_paper_entry import client_for

from imheval.instruments import Instrument
from imheval.interop.convert import export_instrument
from imheval.interop.model import System
from imheval.web.capture.models import Submission
from imheval.web.paper.models import ImportBatch
from shared_fixtures import shared_fixture

pytestmark = pytest.mark.django_db


def asked(workspace: Any) -> Instrument:
    """imh-core as the cohort's participants read it (the texts Forms titles columns with)."""
    [instrument] = workspace.pre.instruments()
    return instrument


def answers(collection: Any) -> dict[str, dict[str, str]]:
    return {s.code: dict(s.answers) for s in Submission.objects.filter(collection=collection)}


def assert_never_stored(*values: str) -> None:
    text = stored_text()
    assert "MA07BE" in text  # the search reads what was imported
    for value in values:
        assert value not in text, value


# ------------------------------------------------------------------------ Microsoft Forms


def forms_quiz(instrument: Instrument) -> bytes:
    """A Forms quiz download (.xlsx): the metadata block with a person's email and name, Total
    points, then a code question and three of imh-core's questions, K1 with its points. Row 3's
    Total points (3) disagrees with its questions' points (0)."""
    questions = {q.id: q for q in instrument.questions}
    k1, r1, s1 = questions["K1"], questions["R1"], questions["S1"]
    labels = instrument.scales["confidence"].labels
    header = ["ID", "Start time", "Completion time", "Email", "Name", "Total points"]
    header += ["Quiz feedback", "Your self-generated code", k1.text, f"Points - {k1.text}"]
    header += [f"Feedback - {k1.text}", r1.text, s1.text]
    start = dt.datetime(2025, 3, 4, 9, 12, 40)
    people = [
        [1, start, start, "jane.doe@example.org", "Janetta Doe", 1, None, "MA07BE"],
        [2, start, start, "john.smith@example.org", "Johnathan Smith", 3, None, "JO12DE"],
    ]
    given = [[k1.options["b"], 1, None, "Yes", labels[3]], [k1.options["a"], 0, None, "No", "4"]]
    rows = [[*person, *answered] for person, answered in zip(people, given, strict=True)]
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_a_forms_quiz_download_is_read_with_the_cohorts_questions_by_their_text(
    workspace: Any,
) -> None:
    client = client_for(workspace.users["trainer"])
    download = forms_quiz(asked(workspace))

    started = post_files(
        client, workspace, "msforms", files={"files_pre": [("pre.xlsx", download)]}
    )

    preview = cells(client.get(started["Location"]).content.decode())
    assert "Identifying columns dropped Email , Name" in preview
    assert (
        "pre.xlsx: Total points is not the sum of the questions' points in row 3 (row 3: Total "
        "points 3, the questions' points 0); imheval trusts the questions" in preview
    )
    assert "A 10-month-old falls over and screams. Her father picks her up, stays calm" in preview
    assert "Question 1 (K1): A 10-month-old falls over" in preview
    assert "pre.xlsx 3 pre JO12DE" in preview
    client.post(started["Location"])
    assert answers(workspace.pre) == {
        "MA07BE": {"K1": "b", "R1": "yes", "S1": "3"},
        "JO12DE": {"K1": "a", "R1": "no", "S1": "4"},
    }
    assert_never_stored("jane.doe@example.org", "Janetta", "john.smith@example.org", "Johnathan")


def test_the_real_forms_quiz_is_refused_its_questions_are_not_the_cohorts(workspace: Any) -> None:
    real = shared_fixture("interop", "real", "msforms", "msforms_quiz_category1_excel_resaved.xlsx")
    client = client_for(workspace.users["trainer"])

    page = cells(
        post_files(
            client, workspace, "msforms", files={"files_pre": [(real.name, real.read_bytes())]}
        ).content.decode()
    )

    assert "nothing was imported" in page
    assert real.name in page
    assert not ImportBatch.objects.exists() and not Submission.objects.exists()


# ------------------------------------------------------------------------------ LimeSurvey

#: A response export with question codes, as a survey made from imheval's .lss writes it (the
#: rating battery an array, ``confidencegrid[S1]``); the IP address recorded; response 2 not
#: finished.
LIMESURVEY = """\
id,submitdate,lastpage,startlanguage,seed,ipaddr,code,timepoint,K1,R1,confidencegrid[S1]
1,2025-03-04 09:16:02,3,en,1412,192.0.2.44,MA07BE,pre,b,yes,3
2,,2,en,98,192.0.2.45,JO12DE,pre,a,no,4
3,2025-03-05 16:01:00,3,en,77,192.0.2.44,MA07BE,post,a,no,5
"""


def test_a_limesurvey_export_is_read_with_the_cohorts_questions_by_their_codes(
    workspace: Any,
) -> None:
    client = client_for(workspace.users["evaluator"])

    started = post_files(
        client, workspace, "limesurvey", files={"files": [("results.csv", LIMESURVEY)]}
    )

    batch = ImportBatch.objects.get()
    assert batch.counts == {"pre": 1, "post": 1}
    preview = cells(client.get(started["Location"]).content.decode())
    assert "Identifying columns dropped ipaddr" in preview
    assert "results.csv, row 3 Not finished (its submitdate is blank)" in preview
    # the export's own column (the array row imheval's .lss writes), and the question it fills
    assert "confidencegrid[S1] Question 15 (S1): I feel confident talking with parents" in preview
    assert "K1 Question 1 (K1): A 10-month-old falls over" in preview
    client.post(started["Location"])
    assert answers(workspace.pre) == {"MA07BE": {"K1": "b", "R1": "yes", "S1": "3"}}
    assert answers(workspace.post) == {"MA07BE": {"K1": "a", "R1": "no", "S1": "5"}}
    assert_never_stored("192.0.2.44", "192.0.2.45")


def test_a_limesurvey_export_with_imhevals_own_lss_as_its_structure(workspace: Any) -> None:
    lss = export_instrument(asked(workspace), System.LIMESURVEY)
    client = client_for(workspace.users["trainer"])

    started = post_files(
        client,
        workspace,
        "limesurvey",
        files={"files": [("results.csv", LIMESURVEY)]},
        structure=_upload(lss.filename, lss.data),
        keep_incomplete="on",
    )

    preview = cells(client.get(started["Location"]).content.decode())
    assert "read with the structure file imh-core.lss" in preview
    assert "confidencegrid[S1] Question 15 (S1)" in preview
    assert "1 response is marked incomplete in the source and imported, as asked." in preview
    client.post(started["Location"])
    assert answers(workspace.pre) == {
        "MA07BE": {"K1": "b", "R1": "yes", "S1": "3"},
        "JO12DE": {"K1": "a", "R1": "no", "S1": "4"},
    }


def _upload(name: str, data: bytes) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)


# ------------------------------------------------------------------------------------ FHIR


def response(code: str, timepoint: str, k1: str, s1: int, **extra: Any) -> dict[str, Any]:
    """A QuestionnaireResponse to imheval's exported Questionnaire, about a named person."""
    return {
        "resourceType": "QuestionnaireResponse",
        "status": extra.get("status", "completed"),
        "subject": {"reference": "Patient/17", "display": extra.get("name", "Janetta Doe")},
        "item": [
            {"linkId": "code", "answer": [{"valueString": code}]},
            {"linkId": "timepoint", "answer": [{"valueCoding": {"code": timepoint}}]},
            {
                "linkId": "knowledge",
                "item": [{"linkId": "K1", "answer": [{"valueCoding": {"code": k1}}]}],
            },
            {"linkId": "S1", "answer": [{"valueInteger": s1}]},
        ],
    }


def test_fhir_responses_in_a_bundle_are_read_by_linkid_and_named_by_entry(
    workspace: Any,
) -> None:
    bundle = {
        "resourceType": "Bundle",
        "type": "searchset",
        "entry": [
            {"resource": response("MA07BE", "pre", "b", 3)},
            {"resource": response("JO12DE", "pre", "a", 4, status="in-progress", name="Johnathan")},
            {"resource": response("MA07BE", "post", "a", 5)},
        ],
    }
    client = client_for(workspace.users["trainer"])

    started = post_files(
        client, workspace, "fhir", files={"files": [("bundle.json", json.dumps(bundle))]}
    )

    batch = ImportBatch.objects.get()
    assert [(r["file"], r["line"], r["timepoint"]) for r in batch.rows] == [
        ("bundle.json", 1, "pre"),
        ("bundle.json", 3, "post"),
    ]
    preview = cells(client.get(started["Location"]).content.decode())
    assert "Identifying columns dropped subject" in preview
    assert "bundle.json, entry 2 Left out: not completed (status 'in-progress')" in preview
    client.post(started["Location"])
    assert answers(workspace.pre) == {"MA07BE": {"K1": "b", "S1": "3"}}
    assert answers(workspace.post) == {"MA07BE": {"K1": "a", "S1": "5"}}
    assert_never_stored("Janetta", "Johnathan", "Patient/17")


def test_a_broken_bundle_entry_is_named_and_nothing_is_imported(workspace: Any) -> None:
    entries = [{"resource": response(f"AB{n:02d}CD", "pre", "a", 3)} for n in range(1, 1001)]
    broken = response("ZZ99ZZ", "pre", "a", 3)
    broken["item"][3]["answer"] = [{}]  # S1 answered with no value
    entries[736] = {"resource": broken}
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": entries}
    client = client_for(workspace.users["trainer"])

    page = cells(
        post_files(
            client, workspace, "fhir", files={"files": [("bundle.json", json.dumps(bundle))]}
        ).content.decode()
    )

    assert "nothing was imported" in page
    assert "bundle.json – – Entry 737: item 'S1': an answer holds no value" in page
    assert not ImportBatch.objects.exists() and not Submission.objects.exists()


# -------------------------------------------------------------------- REDCap with structure


def test_a_redcap_export_read_with_imhevals_own_dictionary(workspace: Any) -> None:
    dictionary = export_instrument(asked(workspace), System.REDCAP)
    export = (
        "record_id,redcap_event_name,code,k1,r1,s1,imh_core_complete\n"
        "1,pre_arm_1,MA07BE,b,yes,3,2\n"
        "1,post_arm_1,MA07BE,a,no,5,2\n"
    )
    client = client_for(workspace.users["trainer"])

    started = post_files(
        client,
        workspace,
        files={"files": [("project.csv", export)]},
        structure=_upload(dictionary.filename, dictionary.data),
    )

    preview = cells(client.get(started["Location"]).content.decode())
    assert "k1 Question 1 (K1)" in preview and "s1 Question 15 (S1)" in preview
    client.post(started["Location"])
    assert answers(workspace.pre) == {"MA07BE": {"K1": "b", "R1": "yes", "S1": "3"}}
    assert answers(workspace.post) == {"MA07BE": {"K1": "a", "R1": "no", "S1": "5"}}


def test_another_projects_dictionary_and_records_are_refused_question_by_question(
    workspace: Any,
) -> None:
    dictionary = shared_fixture("interop", "redcap_data_dictionary.csv")
    records = shared_fixture("interop", "redcap_records_flat_raw.csv")
    client = client_for(workspace.users["trainer"])

    page = cells(
        post_files(
            client,
            workspace,
            files={"files": [("records.csv", records.read_bytes())]},
            structure=_upload("dictionary.csv", dictionary.read_bytes()),
        ).content.decode()
    )

    assert "nothing was imported" in page
    for source, rows in (("k1", "rows 2, 3 and 4"), ("se1", "rows 2, 3 and 4")):
        assert (
            f"records.csv 2 {source} The question '{source}' (read as '{source}') is not a "
            f"question of cohort SOL-1's questionnaires, so its answers ({rows}) cannot be "
            "imported" in page
        )
    assert not ImportBatch.objects.exists() and not Submission.objects.exists()


def test_excel_downloads_too_large_to_convert_while_the_person_waits_are_refused(
    workspace: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from imheval.web.paper import interop_import

    monkeypatch.setattr(interop_import, "MAX_XLSX_WORK", 1000)  # any workbook is larger
    client = client_for(workspace.users["trainer"])

    page = cells(
        post_files(
            client,
            workspace,
            "msforms",
            files={"files_pre": [("pre.xlsx", forms_quiz(asked(workspace)))]},
        ).content.decode()
    )

    assert "imheval reads at most 0 MB of them at a time" in page
    assert "save its responses in two or more files (each with the header row)" in page
    assert not ImportBatch.objects.exists()
