"""The home page's to-do list links only to pages the member's role may act on: every link in it
opens for that role, a follow-up or possible match is information without a link for a role
that may not deal with it, and imports and paper differences are left out for a viewer."""

from __future__ import annotations

import datetime
import re

import pytest
from conftest import Workspace
from django.urls import reverse
from django.utils import timezone
from test_results_pages import answers, client_for, matched_people, respond

from imheval.web.paper.models import ImportBatch, PaperForm, PaperStatus
from imheval.web.results.models import ResultsView
from imheval.web.workspace.attention import attention
from imheval.web.workspace.templatetags.workspace_attention import who_may


def _everything_to_do(workspace: Workspace) -> None:
    """A follow-up overdue, a possible match, an import waiting, paper differences, results
    changed for every role, and the pre-test open."""
    ended = timezone.localdate() - datetime.timedelta(weeks=20)
    workspace.cohort.start_date = workspace.cohort.end_date = ended
    workspace.cohort.save()
    matched_people(workspace, 6)
    respond(workspace.pre, "MA07BE", answers(2))
    respond(workspace.post, "MA07BF", answers(6))
    ImportBatch.objects.create(cohort=workspace.cohort, file_name="march.csv", layout="tidy")
    PaperForm.objects.create(
        collection=workspace.post, form_number=3, status=PaperStatus.DISCREPANT, first_code="X"
    )
    yesterday = timezone.now() - datetime.timedelta(days=1)
    for user in workspace.users.values():
        ResultsView.objects.create(
            user=user, cohort=workspace.cohort, viewed_at=yesterday, results_as_of=yesterday
        )


def _to_do_list(workspace: Workspace, role: str) -> str:
    client = client_for(workspace.users[role])
    page = client.get(reverse("workspace:organisation", args=["northern"])).content.decode()
    return page[page.index('<h2 id="attention">') : page.index("<h2>Programmes</h2>")]


def _links(section: str) -> list[str]:
    return re.findall(r'href="([^"]+)"', section)


def _url(name: str, **kwargs: int) -> str:
    return reverse(name, kwargs={"org": "northern", **kwargs})


def test_who_may_names_the_roles_in_words() -> None:
    assert who_may("review_matches") == "An admin or evaluator"
    assert who_may("run_collections") == "An admin, evaluator or trainer"
    assert who_may("manage_members") == "An admin"


@pytest.mark.parametrize("role", ["admin", "evaluator", "trainer", "viewer"])
def test_every_link_in_the_to_do_list_opens_for_the_role_that_sees_it(
    workspace: Workspace, role: str
) -> None:
    _everything_to_do(workspace)
    links = _links(_to_do_list(workspace, role))
    assert links  # the results changed and the open pre-test are linked for every role
    client = client_for(workspace.users[role])
    for link in links:
        assert client.get(link).status_code == 200, link


def test_an_evaluator_gets_a_link_for_every_item(workspace: Workspace) -> None:
    _everything_to_do(workspace)
    links = _links(_to_do_list(workspace, "evaluator"))
    batch = ImportBatch.objects.get()
    assert set(links) == {
        _url("workspace:collection_link", collection=workspace.followup.pk),
        _url("results:cohort_matching", cohort=workspace.cohort.pk),
        _url("paper:import_preview", batch=batch.pk),
        _url("paper:discrepancies", collection=workspace.post.pk),
        _url("results:cohort", cohort=workspace.cohort.pk),
        _url("results:cohort_counts", cohort=workspace.cohort.pk),
    }


def test_a_trainer_sees_possible_matches_as_information_without_the_matching_link(
    workspace: Workspace,
) -> None:
    _everything_to_do(workspace)
    section = _to_do_list(workspace, "trainer")
    assert _url("results:cohort_matching", cohort=workspace.cohort.pk) not in section
    assert "Solihull Approach foundation, SOL-1: fewer than 5 to check" in section
    assert (
        "An admin or evaluator decides on the matching page whether each pair is one person or "
        "two; until then they count as two people." in section
    )
    # a trainer opens follow-ups and finishes imports: those stay linked
    assert _url("workspace:collection_link", collection=workspace.followup.pk) in section
    assert _url("paper:import_preview", batch=ImportBatch.objects.get().pk) in section


def test_a_viewer_is_told_about_follow_ups_and_matches_but_not_about_imports(
    workspace: Workspace,
) -> None:
    _everything_to_do(workspace)
    section = _to_do_list(workspace, "viewer")
    assert set(_links(section)) == {
        _url("results:cohort", cohort=workspace.cohort.pk),
        _url("results:cohort_counts", cohort=workspace.cohort.pk),
    }
    assert "Solihull Approach foundation, SOL-1: follow-up – <strong>" in section
    assert "An admin, evaluator or trainer opens it." in section
    assert "fewer than 5 to check" in section
    assert "Imports and paper forms to finish" not in section
    assert "march.csv" not in section
    assert "Results changed since you last viewed them" in section


def test_for_role_leaves_imports_and_differences_out_only_for_a_role_that_cannot_enter(
    workspace: Workspace,
) -> None:
    _everything_to_do(workspace)
    found = attention(workspace.organisation)
    assert (len(found.imports), len(found.differences)) == (1, 1)
    viewer = found.for_role(workspace.users["viewer"].memberships.get().may)
    assert (viewer.imports, viewer.differences) == ((), ())
    assert viewer.follow_ups == found.follow_ups and viewer.matches == found.matches
    assert found.for_role(workspace.users["trainer"].memberships.get().may) is found


def test_with_nothing_to_do_a_viewer_is_not_told_about_imports(workspace: Workspace) -> None:
    workspace.followup.delete()
    assert "no import or paper form is unfinished" not in _to_do_list(workspace, "viewer")
    assert "no import or paper form is unfinished" in _to_do_list(workspace, "trainer")
    assert "Nothing needs doing today" in _to_do_list(workspace, "viewer")


def test_a_response_without_a_code_does_not_hide_a_cohorts_possible_matches(
    workspace: Workspace,
) -> None:
    matched_people(workspace, 6)
    respond(workspace.pre, "MA07BE", answers(2))
    respond(workspace.post, "MA07BF", answers(6))
    respond(workspace.post, "", answers(6))
    [item] = attention(workspace.organisation).matches
    assert item.undecided == 1
