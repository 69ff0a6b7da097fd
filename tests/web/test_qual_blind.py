"""Blind coding holds on every page and download that shows codings, not only the coding page
and the comparison: while a codebook study codes blind (comparison not opened), the outputs
page and its downloads, the joint display, the second review (its pages and its log) and the
REFI-QDA project export hold only the viewer's own codings (none for someone who is not a
coder) and say so; the evaluation report leaves the study out. Once the comparison is opened,
everyone sees every coder's codings again."""

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

from imheval.web.qualitative.adapter import project_for
from imheval.web.qualitative.models import FindingLink, Review
from imheval.web.qualitative.outputs import sections_for_scope

pytestmark = pytest.mark.django_db

#: The evaluator's passage (quote and code) and the analyst's.
THEIRS = ("the readings", "Readings helped")
MINE = ("made sense", "Making sense")
OWN_ONLY = "so this page and its downloads hold only your own codings"


@pytest.fixture
def blind(workspace: Any) -> dict[str, Any]:
    """A blind codebook study: the evaluator coded "the readings", the analyst "made sense"."""
    analyst = add_member(workspace.organisation, "analyst")
    study = make_study(workspace.organisation, workspace.cohort, approach="codebook")
    source = make_source(study, FOCUS_GROUP)
    book = make_codebook(study)
    evaluator = workspace.users["evaluator"]
    theirs = make_coding(
        source, book["readings"], make_coder(study, "Eve Evaluator", evaluator), text=THEIRS[0]
    )
    mine = make_coding(
        source, book["sense"], make_coder(study, "Ann Analyst", analyst), text=MINE[0]
    )
    return {
        "study": study,
        "source": source,
        "book": book,
        "analyst": analyst,
        "theirs": theirs,
        "mine": mine,
        "client": client_as(analyst),
    }


def _open_comparison(study: Any) -> None:
    study.comparison_opened_at = timezone.now()
    study.save()


def _words(response: Any, query: str) -> str:
    if query.endswith("docx"):
        with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
            return archive.read("word/document.xml").decode()
    return str(response.content.decode())


def _qde(response: Any) -> str:
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        return archive.read("project.qde").decode()


def test_the_project_export_holds_only_the_downloaders_own_codings_and_coder(
    blind: dict[str, Any],
) -> None:
    study, client = blind["study"], blind["client"]

    qde = _qde(client.get(url("exchange_export", study=study)))
    page = client.get(url("exchange", study=study)).content.decode()

    assert qde.count("<Coding ") == 1
    assert blind["mine"].guid in qde and blind["theirs"].guid not in qde
    assert 'name="Ann Analyst"' in qde and "Eve Evaluator" not in qde
    assert "1 coding." in page
    assert (
        "Coding is blind until the comparison is opened, so the project download holds only "
        "your own codings; the other coders&#x27; are hidden until then." in page
    )


def test_someone_who_is_not_a_coder_exports_no_codings_while_blind(
    workspace: Any, blind: dict[str, Any]
) -> None:
    viewer = client_as(workspace.users["viewer"])

    qde = _qde(viewer.get(url("exchange_export", study=blind["study"])))
    page = viewer.get(url("exchange", study=blind["study"])).content.decode()

    assert "<Coding " not in qde and "<User " not in qde
    assert "so the project download holds no codings: the coders&#x27; codings are hidden" in page


def test_the_outputs_page_shows_only_the_viewers_own_codings(blind: dict[str, Any]) -> None:
    page = blind["client"].get(url("outputs", study=blind["study"])).content.decode()

    assert MINE[0] in page and THEIRS[0] not in page and THEIRS[1] not in page
    assert OWN_ONLY in page


@pytest.mark.parametrize(
    "query",
    [
        "file=section&format=html",
        "file=section&format=docx",
        "file=table3&format=csv",
        "file=table3&format=docx",
        "file=matrix&format=csv",
    ],
)
def test_the_outputs_downloads_hold_only_the_viewers_own_codings(
    blind: dict[str, Any], query: str
) -> None:
    study, client = blind["study"], blind["client"]
    hidden = client.get(url("outputs_export", study=study) + f"?{query}")
    _open_comparison(study)
    opened = client.get(url("outputs_export", study=study) + f"?{query}")

    assert hidden.status_code == opened.status_code == 200
    assert hidden.content != opened.content
    if query.startswith("file=section"):  # the quotes, in the page or the Word file
        assert THEIRS[0] not in _words(hidden, query) and MINE[0] in _words(hidden, query)
        assert THEIRS[0] in _words(opened, query)
    if query == "file=table3&format=csv":  # the theme's sources, speakers and codings
        assert b"think.,1,1,1\r\n" in hidden.content
        assert b"think.,1,1,2\r\n" in opened.content


def test_the_joint_display_offers_and_shows_only_the_viewers_own_quotes(
    blind: dict[str, Any],
) -> None:
    study, client = blind["study"], blind["client"]
    FindingLink.objects.create(study=study, finding="f1", coding=blind["theirs"], position=1)

    response = client.get(url("joint", study=study))

    assert [pk for pk, _ in response.context["quotes"]] == [blind["mine"].pk]
    assert THEIRS[0] not in response.content.decode()
    assert "so the quotes here are only your own codings" in response.content.decode()
    outputs = client.get(url("outputs", study=study))
    assert outputs.context["links"] == 0


def test_the_joint_display_will_not_link_or_change_another_coders_quote_while_blind(
    blind: dict[str, Any],
) -> None:
    study, client = blind["study"], blind["client"]
    theirs = FindingLink.objects.create(
        study=study, finding="f1", coding=blind["theirs"], position=1
    )
    joint = url("joint", study=study)

    client.post(joint, {"action": "add", "finding": "f2", "coding": blind["theirs"].pk})
    client.post(joint, {"action": "remove", "link": theirs.pk})
    client.post(joint, {"action": "add", "finding": "f2", "coding": blind["mine"].pk})

    links = FindingLink.objects.order_by("pk").values_list("finding", "coding")
    assert list(links) == [("f1", blind["theirs"].pk), ("f2", blind["mine"].pk)]


def test_the_second_review_shows_only_the_viewers_own_quotes(blind: dict[str, Any]) -> None:
    study, client, book = blind["study"], blind["client"], blind["book"]

    review = client.get(url("review", study=study)).content.decode()
    theme = client.get(url("review_theme", study=study, code=book["theme"])).content.decode()

    for page in (review, theme):
        assert MINE[0] in page and THEIRS[0] not in page
        assert "so the quotes below are only your own codings" in page
    response = client.get(url("review_theme", study=study, code=book["theme"]))
    choices = [value for value, _ in response.context["form"].fields["coding"].choices]
    assert choices == ["", blind["mine"].pk]


def test_a_reviewer_who_is_not_a_coder_sees_no_quotes_while_blind(
    workspace: Any, blind: dict[str, Any]
) -> None:
    reviewer = client_as(add_member(workspace.organisation, "reviewer"))
    study, book = blind["study"], blind["book"]

    review = reviewer.get(url("review", study=study)).content.decode()
    theme = reviewer.get(url("review_theme", study=study, code=book["theme"])).content.decode()

    for page in (review, theme):
        assert MINE[0] not in page and THEIRS[0] not in page
        assert "so the quotes below are no codings: the coders&#x27; codings are hidden" in page


def test_the_review_log_hides_another_coders_quote_while_blind(
    workspace: Any, blind: dict[str, Any]
) -> None:
    study = blind["study"]
    Review.objects.create(
        study=study,
        code=blind["book"]["theme"],
        coding=blind["theirs"],
        reviewer=workspace.users["evaluator"],
        decision="accept",
    )
    log = url("review_log", study=study)

    hidden = blind["client"].get(log).content.decode()
    _open_comparison(study)
    opened = blind["client"].get(log).content.decode()

    assert THEIRS[0] not in hidden and "A quote, hidden until the comparison is opened" in hidden
    assert f"The quote <q>{THEIRS[0]}</q>" in opened


def test_once_the_comparison_is_opened_every_page_shows_every_coder(
    blind: dict[str, Any],
) -> None:
    study, client = blind["study"], blind["client"]
    _open_comparison(study)

    qde = _qde(client.get(url("exchange_export", study=study)))
    outputs = client.get(url("outputs", study=study)).content.decode()
    review = client.get(url("review", study=study)).content.decode()

    assert qde.count("<Coding ") == 2 and "Eve Evaluator" in qde
    for page in (outputs, review):
        assert THEIRS[0] in page and MINE[0] in page
        assert "Coding is blind" not in page


def test_the_evaluation_report_leaves_out_a_study_still_coding_blind(
    workspace: Any, blind: dict[str, Any]
) -> None:
    study = blind["study"]
    open_study = make_study(workspace.organisation, workspace.cohort, name="Interviews")

    assert [section.study for section in sections_for_scope(workspace.cohort)] == ["Interviews"]
    _open_comparison(study)
    names = sorted(section.study for section in sections_for_scope(workspace.cohort))
    assert names == sorted([study.name, open_study.name])


def test_project_for_a_viewer_keeps_only_their_codings_while_blind(
    workspace: Any, blind: dict[str, Any]
) -> None:
    study = blind["study"]

    everyone = project_for(study)
    analyst = project_for(study, viewer=blind["analyst"])
    outsider = project_for(study, viewer=workspace.users["viewer"])

    assert {c.guid for c in everyone.codings} == {blind["mine"].guid, blind["theirs"].guid}
    assert [c.guid for c in analyst.codings] == [blind["mine"].guid]
    assert [u.name for u in analyst.users] == ["Ann Analyst"]
    assert outsider.codings == () and outsider.users == ()


def test_the_hub_source_and_codebook_count_only_the_viewers_own_codings_while_blind(
    blind: dict[str, Any],
) -> None:
    study, client, source = blind["study"], blind["client"], blind["source"]

    hub = client.get(url("study", study=study))
    page = client.get(url("source", study=study, source=source))
    codebook = client.get(url("codebook", study=study))
    _open_comparison(study)
    opened = client.get(url("codebook", study=study))

    assert [s.coding_count for s, _ in hub.context["sources"]] == [1]
    assert page.context["coding_count"] == 1
    counts = {
        c.name: c.coding_count for _, subs in codebook.context["tree"] for s, cs in subs for c in cs
    }
    assert counts[THEIRS[1]] == 0
    reopened = {
        c.name: c.coding_count for _, subs in opened.context["tree"] for s, cs in subs for c in cs
    }
    assert reopened[THEIRS[1]] == 1
