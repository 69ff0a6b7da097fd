"""Importing another system's exports into a cohort: the page, the mapping's preview, the file
import's own checks and confirm, all or nothing, and nothing identifying ever stored.

The workspace's cohort SOL-1 has pre, post and follow-up questionnaires, each imh-core 1.0.0
(K1-K6 a-d, R1-R3 yes/no, R4-R8 a-c, S1-S6 ratings 1-5). The exports here are what a REDCap
project built from imheval's questionnaire gives: fields named as imheval's data dictionary
names them (REDCap field names are lower case: ``k1`` for K1; see
:func:`imheval.interop.redcap.export.redcap_answer_maps`, and the test that these headers are
the dictionary's), answers as their codes, a ``code`` field for the self-generated code, and
identifying columns a real project has (email, first name, the survey identifier).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from test_paper_entry import client_for, url

from imheval.web.capture.models import Submission
from imheval.web.paper.models import ImportBatch

pytestmark = pytest.mark.django_db

#: A longitudinal REDCap project (one record, a pre and a post event), raw codes, with the
#: identifying columns a survey project exports. Record 2's post-test is marked Incomplete.
REDCAP_EVENTS = """\
record_id,redcap_event_name,redcap_survey_identifier,email,first_name,code,k1,k2,r1,s1,imh_core_complete
1,pre_arm_1,,jane.doe@example.org,Janetta,ma07be,b,c,yes,3,2
1,post_arm_1,,jane.doe@example.org,Janetta,ma07be,a,c,no,5,2
2,pre_arm_1,,john.smith@example.org,Johnathan,JO12DE,a,,no,4,2
2,post_arm_1,,john.smith@example.org,Johnathan,JO12DE,b,c,yes,4,0
"""
IDENTIFYING = ("jane.doe@example.org", "john.smith@example.org", "Janetta", "Johnathan")


def import_url(workspace: Any) -> str:
    return url("interop_import", workspace, cohort=workspace.cohort.pk)


def post_files(
    client: Client,
    workspace: Any,
    system: str = "redcap",
    files: dict[str, list[tuple[str, str | bytes]]] | None = None,
    **fields: str,
) -> Any:
    """Post the import page: ``files`` maps an upload box (files, files_pre, ...) to its files."""
    data: dict[str, Any] = {"system": system, **fields}
    for box, uploads in (files or {}).items():
        data[box] = [
            SimpleUploadedFile(name, content.encode() if isinstance(content, str) else content)
            for name, content in uploads
        ]
    return client.post(import_url(workspace), data)


def cells(page: str) -> str:
    """The page's table cells and list items as one line of text each, for assertions."""
    import html
    import re

    text = re.sub(r"<[^>]+>", " ", page)
    return re.sub(r"\s+", " ", html.unescape(text))


# ------------------------------------------------------------------------------ access


def test_the_page_is_for_members_who_enter_responses_as_the_file_import_is(
    workspace: Any,
) -> None:
    address = import_url(workspace)
    anonymous = Client().get(address)
    assert anonymous.status_code == 302 and "/sign-in/" in anonymous["Location"]
    viewer = client_for(workspace.users["viewer"])
    assert viewer.get(address).status_code == 403
    assert (
        post_files(viewer, workspace, files={"files": [("p.csv", REDCAP_EVENTS)]}).status_code
        == 403
    )
    outsider = client_for(workspace.outsider)
    assert outsider.get(address).status_code == 404
    theirs = reverse(
        "paper:interop_import",
        kwargs={"org": workspace.other_organisation.slug, "cohort": workspace.cohort.pk},
    )
    assert outsider.get(theirs).status_code == 404
    for role in ("admin", "evaluator", "trainer"):
        assert client_for(workspace.users[role]).get(address).status_code == 200
    assert not ImportBatch.objects.exists()


def test_the_file_import_page_links_to_this_one(workspace: Any) -> None:
    client = client_for(workspace.users["trainer"])
    page = client.get(url("import_file", workspace, cohort=workspace.cohort.pk)).content.decode()
    assert f'<a href="{import_url(workspace)}">Import from REDCap, Microsoft Forms' in page


def test_a_preview_is_for_its_organisation_and_for_members_who_enter_responses(
    workspace: Any,
) -> None:
    trainer = client_for(workspace.users["trainer"])
    started = post_files(trainer, workspace, files={"files": [("project.csv", REDCAP_EVENTS)]})
    batch = ImportBatch.objects.get()
    assert started["Location"] == url("interop_preview", workspace, batch=batch.pk)
    viewer = client_for(workspace.users["viewer"])
    assert viewer.get(started["Location"]).status_code == 403
    assert viewer.post(started["Location"]).status_code == 403
    theirs = reverse(
        "paper:interop_preview",
        kwargs={"org": workspace.other_organisation.slug, "batch": batch.pk},
    )
    assert client_for(workspace.outsider).get(theirs).status_code == 404
    assert Client().get(started["Location"]).status_code == 302
    assert not Submission.objects.exists()


# ------------------------------------------------------------------- REDCap, the journey


def test_a_redcap_export_is_previewed_with_its_mapping_then_imported_into_the_cohort(
    workspace: Any,
) -> None:
    trainer = workspace.users["trainer"]
    client = client_for(trainer)

    started = post_files(client, workspace, files={"files": [("project.csv", REDCAP_EVENTS)]})

    batch = ImportBatch.objects.get()
    assert started["Location"] == url("interop_preview", workspace, batch=batch.pk)
    assert not Submission.objects.exists()  # nothing until confirmed
    assert (batch.row_count, batch.counts, batch.status) == (3, {"pre": 2, "post": 1}, "preview")
    assert batch.file_name == "project.csv (REDCap)"
    assert [(r["file"], r["line"], r["timepoint"], r["code"]) for r in batch.rows] == [
        ("project.csv", 2, "pre", "MA07BE"),
        ("project.csv", 3, "post", "MA07BE"),
        ("project.csv", 4, "pre", "JO12DE"),
    ]
    page = client.get(started["Location"]).content.decode()
    text = cells(page)
    assert "Check the mapping before importing" in text
    # the identifying columns dropped, by name only
    assert (
        "Identifying columns dropped record_id , email , first_name , "
        "redcap_survey_identifier Their values were not read into imheval" in text
    )
    # the response left out, and why (in the page's words, not the command line's)
    assert (
        "project.csv, row 5 The form is marked Incomplete (imh_core_complete = 0), so this "
        "response was left out; keep incomplete responses ('Import incomplete responses too') "
        "to include it" in text
    )
    assert "Responses left out 1 (listed below)" in text
    # each source question and the cohort question it fills, with its answers
    assert "k1 Question 1 (K1): A 10-month-old falls over" in text
    assert "Pre-test, Post-test, Follow-up 3" in text
    assert "s1 Question 15 (S1): I feel confident talking with parents" in text
    assert "Pre-test 2 responses" in text and "Post-test 1 response" in text
    # the cohort's questions no response answers, per timepoint with responses
    assert (
        "Pre-test: Question 3 (K3), Question 4 (K4), Question 5 (K5), Question 6 (K6), "
        "Question 8 (R2)" in text
    )
    assert "Post-test: Question 3 (K3)" in text and "Follow-up:" not in text
    assert "timepoints were read from the event names (pre_arm_1 → pre, post_arm_1 → post)" in text
    assert "--events" not in page and "--keep-incomplete" not in page
    # the first responses, on their own file and row
    assert "project.csv 3 post MA07BE – – 4" in text

    done = client.post(started["Location"], follow=True)

    assert "Imported 3 responses from project.csv (REDCap) (2 pre-test, 1 post-test)." in (
        done.content.decode()
    )
    pre = {s.code: s for s in Submission.objects.filter(collection=workspace.pre)}
    post = {s.code: s for s in Submission.objects.filter(collection=workspace.post)}
    assert pre["MA07BE"].answers == {"K1": "b", "K2": "c", "R1": "yes", "S1": "3"}
    assert pre["JO12DE"].answers == {"K1": "a", "R1": "no", "S1": "4"}
    assert list(post) == ["MA07BE"]
    assert post["MA07BE"].answers == {"K1": "a", "K2": "c", "R1": "no", "S1": "5"}
    assert {(s.source, s.status, s.entered_by) for s in [*pre.values(), *post.values()]} == {
        ("import", "complete", trainer)
    }
    batch.refresh_from_db()
    assert (batch.status, batch.rows) == ("imported", [])
    assert set(batch.submissions.all()) == {*pre.values(), *post.values()}


def test_an_import_from_another_system_is_undone_like_any_import(workspace: Any) -> None:
    client = client_for(workspace.users["evaluator"])
    started = post_files(client, workspace, files={"files": [("project.csv", REDCAP_EVENTS)]})
    client.post(started["Location"])
    batch = ImportBatch.objects.get()
    listing = client.get(url("import_file", workspace, cohort=workspace.cohort.pk)).content.decode()
    assert "project.csv (REDCap)" in listing and "2 pre-test, 1 post-test" in listing

    client.post(url("import_undo", workspace, batch=batch.pk))

    assert not Submission.objects.exists() and not ImportBatch.objects.exists()


def test_a_cancelled_preview_imports_nothing(workspace: Any) -> None:
    client = client_for(workspace.users["trainer"])
    post_files(client, workspace, files={"files": [("project.csv", REDCAP_EVENTS)]})
    batch = ImportBatch.objects.get()

    client.post(url("import_cancel", workspace, batch=batch.pk))

    assert not ImportBatch.objects.exists() and not Submission.objects.exists()
    assert client.get(url("interop_preview", workspace, batch=batch.pk)).status_code == 404


def _header(export: str) -> list[str]:
    return export.splitlines()[0].split(",")


def test_the_exports_here_have_the_columns_a_redcap_project_made_from_imhevals_dictionary_has(
    workspace: Any,
) -> None:
    import csv
    import io

    from imheval.interop.redcap.export import write_dictionary

    [instrument] = workspace.pre.instruments()
    dictionary = list(csv.reader(io.StringIO(write_dictionary(instrument).lstrip("\ufeff"))))
    fields = {row[0] for row in dictionary[1:]}
    forms = {row[1] for row in dictionary[1:]}
    written = fields | {f"{form}_complete" for form in forms}
    # REDCap's own columns, and the identifying ones a survey project adds
    added = {"redcap_event_name", "redcap_survey_identifier", "email", "first_name"}

    assert {"record_id", "code", "k1", "k2", "r1", "s1", "imh_core_complete"} <= written
    for export in (REDCAP_EVENTS, PRE_SURVEY, POST_SURVEY):
        assert set(_header(export)) - added <= written, _header(export)


def test_field_names_are_matched_whatever_their_case(workspace: Any) -> None:
    # REDCap writes field names in lower case; a file whose headers were retyped (K1, S1)
    # still fills the same questions
    export = PRE_SURVEY.replace("e,4", "c,4").replace("code,k1,s1", "Code,K1,S1")
    client = client_for(workspace.users["trainer"])

    started = post_files(client, workspace, files={"files_pre": [("pre.csv", export)]})

    preview = cells(client.get(started["Location"]).content.decode())
    assert "k1 Question 1 (K1): A 10-month-old falls over" in preview
    assert "s1 Question 15 (S1): I feel confident talking with parents" in preview
    client.post(started["Location"])
    assert {s.code: s.answers for s in Submission.objects.filter(collection=workspace.pre)} == {
        "MA07BE": {"K1": "b", "S1": "3"},
        "JO12DE": {"K1": "c", "S1": "4"},
    }


# ------------------------------------------------------------------------------ privacy


def stored_text() -> str:
    """Everything the database holds, as text: every row of every table (binary columns as
    bytes), and every session's data decoded."""
    from django.apps import apps
    from django.contrib.sessions.models import Session

    chunks = []
    for model in apps.get_models():
        for row in model._base_manager.all().values_list():
            chunks.append(repr([bytes(v) if isinstance(v, memoryview) else v for v in row]))
    for session in Session.objects.all():
        chunks.append(repr(session.get_decoded()))
    return "\n".join(chunks)


def test_nothing_identifying_is_ever_stored_in_the_preview_the_session_or_the_import(
    workspace: Any,
) -> None:
    client = client_for(workspace.users["trainer"])

    started = post_files(client, workspace, files={"files": [("project.csv", REDCAP_EVENTS)]})
    client.get(started["Location"])
    at_preview = stored_text()
    client.post(started["Location"])
    imported = stored_text()

    assert Submission.objects.count() == 3  # the search below is of a real import
    assert "MA07BE" in at_preview and "MA07BE" in imported  # the search does find stored text
    for value in IDENTIFYING:
        assert value not in at_preview, value
        assert value not in imported, value


# -------------------------------------------------------------- problems: nothing imported


def test_answers_to_questions_not_asked_at_that_timepoint_are_refused_with_file_and_row(
    workspace: Any,
) -> None:
    workspace.followup.instrument_refs = ["imh-reaction"]
    workspace.followup.instrument_versions = {}
    workspace.followup.save()
    export = (
        "record_id,redcap_event_name,code,k1,s1,re1,imh_core_complete\n"
        "1,pre_arm_1,MA07BE,b,3,,2\n"
        "1,followup_arm_1,MA07BE,,,4,2\n"
        "2,pre_arm_1,JO12DE,a,4,5,2\n"
        "2,followup_arm_1,JO12DE,c,,4,2\n"
    )
    client = client_for(workspace.users["trainer"])

    page = post_files(client, workspace, files={"files": [("visits.csv", export)]})

    text = cells(page.content.decode())
    assert page.status_code == 200
    assert "The files have 2 problems, so nothing was imported" in text
    assert (
        "visits.csv 4 re1 RE1 is not a question of the pre-test questionnaire, so the row cannot "
        "have an answer to it" in text
    )
    assert (
        "visits.csv 5 k1 K1 is not a question of the follow-up questionnaire, so the row cannot "
        "have an answer to it" in text
    )
    assert not ImportBatch.objects.exists() and not Submission.objects.exists()


def test_an_export_whose_columns_are_not_the_cohorts_questions_is_refused(workspace: Any) -> None:
    export = "record_id,code,q1,q2,survey_complete\n1,MA07BE,1,2,2\n"
    client = client_for(workspace.users["trainer"])

    page = post_files(client, workspace, files={"files_pre": [("other.csv", export)]})

    text = cells(page.content.decode())
    assert "nothing was imported" in text
    assert "other.csv" in text and "do not match" in text
    assert not ImportBatch.objects.exists() and not Submission.objects.exists()


PRE_SURVEY = "record_id,code,k1,s1,imh_core_complete\n1,MA07BE,b,3,2\n2,JO12DE,e,4,2\n"
POST_SURVEY = "record_id,code,k1,s1,imh_core_complete\n7,MA07BE,a,9,2\n8,JO12DE,b,5,2\n"


def test_two_surveys_one_per_timepoint_name_each_problem_on_its_own_file_and_row(
    workspace: Any,
) -> None:
    client = client_for(workspace.users["trainer"])

    page = post_files(
        client,
        workspace,
        files={"files_pre": [("pre.csv", PRE_SURVEY)], "files_post": [("post.csv", POST_SURVEY)]},
    )

    text = cells(page.content.decode())
    assert "The files have 2 problems, so nothing was imported" in text
    assert "pre.csv 3 k1 Question 1 (K1): 'e' is not one of the answers: use a, b, c or d" in text
    assert "post.csv 2 s1 Question 15 (S1): '9' is not one of the answers" in text
    assert not ImportBatch.objects.exists() and not Submission.objects.exists()


def test_two_surveys_one_per_timepoint_are_imported_each_into_its_timepoint(
    workspace: Any,
) -> None:
    client = client_for(workspace.users["trainer"])

    started = post_files(
        client,
        workspace,
        files={
            "files_pre": [("pre.csv", PRE_SURVEY.replace(",e,", ",c,"))],
            "files_post": [("post.csv", POST_SURVEY.replace(",9,", ",4,"))],
        },
    )
    preview = cells(client.get(started["Location"]).content.decode())
    client.post(started["Location"])

    assert "pre.csv (pre-test) post.csv (post-test)" in preview
    assert "post.csv 3 post JO12DE" in preview
    pre = {s.code: s.answers for s in Submission.objects.filter(collection=workspace.pre)}
    post = {s.code: s.answers for s in Submission.objects.filter(collection=workspace.post)}
    assert pre == {"MA07BE": {"K1": "b", "S1": "3"}, "JO12DE": {"K1": "c", "S1": "4"}}
    assert post == {"MA07BE": {"K1": "a", "S1": "4"}, "JO12DE": {"K1": "b", "S1": "5"}}


def test_a_code_twice_at_one_timepoint_across_files_names_both_files_rows(
    workspace: Any,
) -> None:
    second = "record_id,code,k1,s1,imh_core_complete\n4,GH04IJ,a,2,2\n5,jo12de,b,2,2\n"
    client = client_for(workspace.users["trainer"])

    page = post_files(
        client,
        workspace,
        files={
            "files_pre": [("site-a.csv", PRE_SURVEY.replace(",e,", ",c,")), ("site-b.csv", second)]
        },
    )

    text = cells(page.content.decode())
    assert (
        "site-b.csv 3 code Participant code 'JO12DE' appears more than once "
        "in cohort 'SOL-1' at pre (site-a.csv row 3; site-b.csv row 3)" in text
    )
    assert not ImportBatch.objects.exists()


def test_codes_saved_between_preview_and_confirm_stop_the_import_naming_the_original_row(
    workspace: Any,
) -> None:
    client = client_for(workspace.users["trainer"])
    started = post_files(client, workspace, files={"files": [("project.csv", REDCAP_EVENTS)]})
    Submission.objects.create(collection=workspace.pre, code="JO12DE", status="complete")

    page = client.post(started["Location"]).content.decode()

    text = cells(page)
    assert "Nothing was imported" in text
    assert "project.csv 4 the self-generated code The code JO12DE already has a response" in text
    assert "(saved after the file was checked)" in text
    assert Submission.objects.count() == 1 and not ImportBatch.objects.exists()


# ----------------------------------------------------------------------- the form's checks


def test_the_form_says_what_is_missing_or_wrong_before_reading_anything(workspace: Any) -> None:
    client = client_for(workspace.users["trainer"])

    nothing = cells(client.post(import_url(workspace), {}).content.decode())
    no_file = cells(post_files(client, workspace).content.decode())
    wrong = cells(
        post_files(client, workspace, files={"files_pre": [("pre.xlsx", b"PK")]}).content.decode()
    )
    forms_structure = cells(
        post_files(
            client,
            workspace,
            "msforms",
            files={"files_pre": [("pre.xlsx", b"PK")]},
            structure=SimpleUploadedFile("dictionary.csv", b"a,b\n"),
        ).content.decode()
    )
    twice = cells(
        post_files(
            client,
            workspace,
            files={"files_pre": [("a.csv", "x")], "files_post": [("a.csv", "y")]},
        ).content.decode()
    )
    events = cells(
        post_files(
            client,
            workspace,
            files={"files": [("a.csv", "x")]},
            events="pre_arm_1 = pre\nvisit_2\nlater_arm_1 = later\nPRE_ARM_1 = post",
        ).content.decode()
    )

    assert "Choose the system the files come from" in nothing
    assert "Choose a REDCap record export to upload" in no_file
    assert "pre.xlsx: a REDCap record export is a .csv file, not '.xlsx'" in wrong
    assert "Microsoft Forms has no structure file: leave it out" in forms_structure
    assert "Two files are called a.csv: rename one" in twice
    assert "Line 2 ('visit_2'): write an event or answer, then = and its timepoint" in events
    assert "Line 3: 'later' is not a timepoint: write pre, post or followup" in events
    assert "Line 4: 'PRE_ARM_1' is given twice" in events
    assert not ImportBatch.objects.exists()


def test_timepoints_given_for_events_are_used(workspace: Any) -> None:
    export = REDCAP_EVENTS.replace("pre_arm_1", "visit_1_arm_1").replace(
        "post_arm_1", "visit_2_arm_1"
    )
    client = client_for(workspace.users["trainer"])

    asked = cells(
        post_files(client, workspace, files={"files": [("p.csv", export)]}).content.decode()
    )
    started = post_files(
        client,
        workspace,
        files={"files": [("p.csv", export)]},
        events="visit_1_arm_1 = Pre-test\nvisit_2_arm_1 = post",
    )

    assert "nothing was imported" in asked
    assert "Events or answers and their timepoints" in asked
    batch = ImportBatch.objects.get()
    assert batch.counts == {"pre": 2, "post": 1}
    preview = cells(client.get(started["Location"]).content.decode())
    assert "Timepoints given visit_1_arm_1 : pre-test visit_2_arm_1 : post-test" in preview


def test_a_file_in_imhevals_own_layout_keeps_its_own_preview(workspace: Any) -> None:
    from test_paper_import import GOOD_CSV, upload

    client = client_for(workspace.users["trainer"])
    upload(client, workspace, "own.csv", GOOD_CSV)
    batch = ImportBatch.objects.get()

    answer = client.get(url("interop_preview", workspace, batch=batch.pk))

    assert answer["Location"] == url("import_preview", workspace, batch=batch.pk)


def test_a_converted_import_always_shows_its_mapping_preview(workspace: Any) -> None:
    # the file import's own preview (and its confirm, which would name the converted rows)
    # hands a converted batch to the mapping preview
    client = client_for(workspace.users["trainer"])
    post_files(client, workspace, files={"files": [("project.csv", REDCAP_EVENTS)]})
    batch = ImportBatch.objects.get()

    for answer in (
        client.get(url("import_preview", workspace, batch=batch.pk)),
        client.post(url("import_preview", workspace, batch=batch.pk)),
    ):
        assert answer.status_code == 302
        assert answer["Location"] == url("interop_preview", workspace, batch=batch.pk)
    assert not Submission.objects.exists()


def test_a_cohort_field_that_identifies_people_is_refused_on_the_page(workspace: Any) -> None:
    client = client_for(workspace.users["trainer"])

    page = post_files(
        client,
        workspace,
        files={"files_pre": [("pre.csv", REDCAP_EVENTS)]},
        cohort_field="Email",
    )

    text = cells(page.content.decode())
    assert (
        "pre.csv – Email 'Email' (the box 'Field that holds the cohort') identifies people, so "
        "imheval never reads it or stores it as the cohort; name the column that holds the "
        "cohort instead"
    ) in text
    assert "nothing was imported" in text
    assert not any(value in text for value in IDENTIFYING)
    assert not ImportBatch.objects.exists() and not Submission.objects.exists()
