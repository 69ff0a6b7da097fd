"""Whose codings a study's outputs report (``Study.reported_coder``): in a codebook study two
coders code the same transcripts, so counting everyone's codings counts a passage both coded
twice. With a reported coder, Table 3, the quotes, the matrix and the report section count and
quote that coder's codings only, on the page, in the downloads and in the evaluation report;
the study settings offer only the study's own coders, and the audit log records the choice."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
from conftest import client_as
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
from imheval.web.qualitative.models import Coding
from imheval.web.qualitative.outputs import sections_for_scope

pytestmark = pytest.mark.django_db

#: The passage both coders coded "Light bulb moment"; the passage only the second coder coded.
SHARED = "A light bulb moment"
SECOND_ONLY = "We never get time to think."


@pytest.fixture
def two_coders(workspace: Any) -> dict[str, Any]:
    """A codebook study, comparison open: Ann and Bob both coded SHARED, Bob also SECOND_ONLY."""
    study = make_study(
        workspace.organisation,
        workspace.cohort,
        approach="codebook",
        comparison_opened_at=timezone.now(),
    )
    source = make_source(study, FOCUS_GROUP)
    book = make_codebook(study)
    ann = make_coder(study, "Ann Analyst", workspace.users["evaluator"])
    bob = make_coder(study, "Bob Second")
    make_coding(source, book["light bulb"], ann, text=SHARED)
    make_coding(source, book["light bulb"], bob, text=SHARED)
    make_coding(source, book["never time"], bob, text=SECOND_ONLY)
    return {"study": study, "ann": ann, "bob": bob, "book": book}


def _report(study: Any, coder: Any) -> None:
    study.reported_coder = coder
    study.save()


def _table3(html: str) -> list[list[str]]:
    table = html[html.index('id="table3"') : html.index("</table>", html.index('id="table3"'))]
    return [
        [cell.split(">")[-1] for cell in row.replace("</th>", "</td>").split("</td>")[:-1]]
        for row in table.split("<tr>")[2:]
    ]


def _quotes(html: str) -> str:
    return html[html.index('id="quotes"') : html.index('id="matrix"')]


def _page(workspace: Any, study: Any) -> str:
    response = client_as(workspace.users["viewer"]).get(url("outputs", study=study))
    assert response.status_code == 200
    return str(response.content.decode())


def _download(workspace: Any, study: Any, query: str) -> Any:
    return client_as(workspace.users["viewer"]).get(url("outputs_export", study=study) + query)


def test_with_everyone_a_passage_two_coders_coded_is_quoted_once_and_counted_twice(
    workspace: Any, two_coders: dict[str, Any]
) -> None:
    html = _page(workspace, two_coders["study"])

    assert _table3(html) == [
        ["Theme 1: Space to reflect", "Time away from the ward to think.", "1", "2", "3"],
        ["1.1 Making sense", "–", "1", "1", "2"],
        ["1.2 Time to think", "–", "1", "1", "1"],
    ]
    assert _quotes(html).count(f"<q>{SHARED}</q>") == 1
    assert SECOND_ONLY in _quotes(html)
    assert "Codings by everyone." in html


def test_with_a_reported_coder_the_page_counts_and_quotes_that_coder_only(
    workspace: Any, two_coders: dict[str, Any]
) -> None:
    study = two_coders["study"]
    _report(study, two_coders["ann"])

    html = _page(workspace, study)

    assert _table3(html) == [
        ["Theme 1: Space to reflect", "Time away from the ward to think.", "1", "1", "1"],
        ["1.1 Making sense", "–", "1", "1", "1"],
        ["1.2 Time to think", "–", "0", "0", "0"],
    ]
    assert _quotes(html).count(f"<q>{SHARED}</q>") == 1
    assert SECOND_ONLY not in html
    assert "Codings by Ann Analyst." in html
    # the matrix's speaker count follows too: PX1 said the shared passage, PX2 Bob's other
    assert "One row per speaker (3," in html  # every speaker is a row, whoever coded


def test_with_a_reported_coder_the_downloads_hold_that_coder_only(
    workspace: Any, two_coders: dict[str, Any]
) -> None:
    study = two_coders["study"]
    _report(study, two_coders["bob"])

    csv = _download(workspace, study, "?file=table3&format=csv").content.decode("utf-8-sig")
    matrix = _download(workspace, study, "?file=matrix&format=csv").content.decode("utf-8-sig")
    section = _download(workspace, study, "?file=section&format=html").content.decode()
    with zipfile.ZipFile(
        io.BytesIO(_download(workspace, study, "?file=table3&format=docx").content)
    ) as archive:
        word = archive.read("word/document.xml").decode()

    assert csv.splitlines()[1:] == [
        "theme,Space to reflect,Time away from the ward to think.,1,2,2",
        "subtheme,Space to reflect > Making sense,,1,1,1",
        "subtheme,Space to reflect > Time to think,,1,1,1",
    ]
    assert matrix.splitlines()[1:] == ["PX1,1,1,0,0,0", "PX2,0,0,0,1,1", "PX3,0,0,0,0,0"]
    for text in (section, word):
        assert SHARED in text and SECOND_ONLY in text


def test_with_ann_reported_the_section_and_word_leave_out_bobs_passage(
    workspace: Any, two_coders: dict[str, Any]
) -> None:
    study = two_coders["study"]
    _report(study, two_coders["ann"])

    section = _download(workspace, study, "?file=section&format=html").content.decode()
    csv = _download(workspace, study, "?file=table3&format=csv").content.decode("utf-8-sig")

    assert SHARED in section and SECOND_ONLY not in section
    assert csv.splitlines()[3] == "subtheme,Space to reflect > Time to think,,0,0,0"


def test_the_evaluation_report_section_counts_the_reported_coder_only(
    workspace: Any, two_coders: dict[str, Any]
) -> None:
    study = two_coders["study"]

    (everyone,) = sections_for_scope(workspace.cohort)
    _report(study, two_coders["ann"])
    (reported,) = sections_for_scope(workspace.cohort)

    assert [row.codings for row in everyone.table3] == [3, 2, 1]
    assert [row.codings for row in reported.table3] == [1, 1, 0]
    quoted = [quote.text for group in reported.quotes for quote in group.quotes]
    assert quoted == [SHARED]
    # the agreement still compares both coders, and the section says whose coding it reports
    assert reported.coders == ("Ann Analyst", "Bob Second")
    assert (everyone.reported_coder, reported.reported_coder) == ("", "Ann Analyst")


def test_the_evaluation_report_file_quotes_the_reported_coder_only(
    workspace: Any, two_coders: dict[str, Any]
) -> None:
    from test_results_pages import matched_people

    from imheval.web.results.analysis import Scope
    from imheval.web.results.tasks import report_file

    matched_people(workspace, 12)
    _report(two_coders["study"], two_coders["ann"])

    html = report_file(Scope.of(workspace.organisation, workspace.cohort), "html").decode()

    assert "Focus group: Focus groups after training" in html
    assert SHARED in html and SECOND_ONLY not in html
    assert "The themes, counts and quotes below are Ann Analyst&#39;s coding." in html


def test_the_joint_display_offers_the_reported_coders_quotes(
    workspace: Any, two_coders: dict[str, Any]
) -> None:
    from test_results_pages import matched_people

    matched_people(workspace, 12)  # findings to set quotes beside
    study = two_coders["study"]
    analyst = client_as(add_member(workspace.organisation, "analyst"))
    before = analyst.get(url("joint", study=study)).content.decode()
    _report(study, two_coders["ann"])

    after = analyst.get(url("joint", study=study)).content.decode()

    def offered(html: str) -> str:
        return html[
            html.index('id="link-coding"') : html.index("</select>", html.index('id="link-coding"'))
        ]

    assert SHARED in offered(before) and SECOND_ONLY in offered(before)
    assert SHARED in offered(after) and SECOND_ONLY not in offered(after)


def test_while_blind_the_viewers_own_codings_win_over_the_reported_coder(
    workspace: Any, two_coders: dict[str, Any]
) -> None:
    study = two_coders["study"]
    study.comparison_opened_at = None
    _report(study, two_coders["bob"])
    # Ann (the evaluator) codes blind: she sees her own coding, not Bob's, whoever is reported
    page = client_as(workspace.users["evaluator"]).get(url("outputs", study=study))
    html = page.content.decode()

    assert "Codings by you." in html
    assert _quotes(html).count(f"<q>{SHARED}</q>") == 1 and SECOND_ONLY not in html
    assert [row[-1] for row in _table3(html)] == ["1", "1", "0"]
    # someone who is not a coder sees none, and the page does not claim whose
    viewer = _page(workspace, study)
    assert "Codings by" not in viewer and SHARED not in _quotes(viewer)


# ----------------------------------------------------------------------- the settings form


def _settings(study: Any, **changes: Any) -> dict[str, Any]:
    return {
        "name": study.name,
        "approach": study.approach,
        "blind_coding": "on" if study.blind_coding else "",
        "agreement_unit": study.agreement_unit,
        "reflexivity": study.reflexivity,
        **changes,
    }


def test_the_settings_offer_the_studys_coders_and_everyone(
    workspace: Any, two_coders: dict[str, Any]
) -> None:
    study = two_coders["study"]
    other = make_study(workspace.organisation, workspace.cohort, name="Interviews")
    make_coder(other, "Cat Elsewhere")

    html = (
        client_as(workspace.users["evaluator"]).get(url("study_edit", study=study)).content.decode()
    )

    select = html[html.index('name="reported_coder"') : html.index("</select>")]
    options = [part.split(">", 1)[1].split("<")[0] for part in select.split("<option")[1:]]
    assert options == ["Everyone&#x27;s codings", "Ann Analyst", "Bob Second"]
    assert "the comparison page still compares everyone" in html


def test_the_settings_save_the_reported_coder_and_the_audit_log_records_it(
    workspace: Any, two_coders: dict[str, Any]
) -> None:
    study, bob = two_coders["study"], two_coders["bob"]
    evaluator = workspace.users["evaluator"]

    response = client_as(evaluator).post(
        url("study_edit", study=study), _settings(study, reported_coder=str(bob.pk))
    )

    assert response.status_code == 302
    study.refresh_from_db()
    assert study.reported_coder == bob
    event = AuditEvent.objects.filter(action="updated", object_label=study.name).last()
    assert event is not None and event.actor == evaluator
    assert event.changes == {"reported_coder": [None, bob.pk]}

    back = client_as(evaluator).post(
        url("study_edit", study=study), _settings(study, reported_coder="")
    )
    assert back.status_code == 302
    study.refresh_from_db()
    assert study.reported_coder is None


@pytest.mark.parametrize("posted", ["other study", "other organisation", "²", "9" * 30, "x"])
def test_the_settings_refuse_a_coder_not_of_this_study(
    workspace: Any, two_coders: dict[str, Any], posted: str
) -> None:
    study = two_coders["study"]
    elsewhere = make_study(workspace.organisation, workspace.cohort, name="Interviews")
    southern = make_study(
        workspace.other_organisation, workspace.other_cohort, name="Southern groups"
    )
    value = {
        "other study": str(make_coder(elsewhere, "Cat Elsewhere").pk),
        "other organisation": str(make_coder(southern, "Dan South").pk),
    }.get(posted, posted)
    events = AuditEvent.objects.count()

    response = client_as(workspace.users["evaluator"]).post(
        url("study_edit", study=study), _settings(study, reported_coder=value)
    )

    assert response.status_code == 200
    assert "Choose one of this study&#x27;s coders, or everyone&#x27;s codings" in (
        response.content.decode()
    )
    study.refresh_from_db()
    assert study.reported_coder is None
    assert AuditEvent.objects.count() == events


def test_a_deleted_reported_coder_leaves_everyones_codings(
    workspace: Any, two_coders: dict[str, Any]
) -> None:
    study = two_coders["study"]
    _report(study, two_coders["ann"])
    # a coder with codings cannot be deleted; once their codings are gone, they can be
    Coding.objects.filter(coder=two_coders["ann"]).delete()
    two_coders["ann"].delete()

    study.refresh_from_db()
    html = _page(workspace, study)

    assert study.reported_coder is None
    assert "Codings by everyone." in html
    assert [row[-1] for row in _table3(html)] == ["2", "1", "1"]
