"""The match decisions download: the review CSV the CLI reads with ``--accept-matches``, so the
responses CSV and this file given to ``imheval analyse`` reproduce the page's evaluation even
after probable matches were accepted in the web review."""

from __future__ import annotations

import csv
import datetime
import io
import json
from pathlib import Path

import pytest
from conftest import CORE_V1, Workspace
from django.urls import reverse
from test_results_adapter import _assert_same
from test_results_pages import CORE, answers, client_for, matched_people, respond

from imheval import EvaluationOptions, evaluate_file
from imheval.evaluation import Evaluation
from imheval.matching import ONE_CHARACTER, REVIEW_COLUMNS, read_accepted_csv
from imheval.web.capture.models import Submission
from imheval.web.results.analysis import (
    Scope,
    accepted_matches,
    analyse,
    scope_instruments,
    scope_table,
)
from imheval.web.results.models import MatchDecision
from imheval.web.workspace.models import Cohort, Collection, Programme


def _typo_pair(workspace: Workspace) -> None:
    """Six people matched exactly, and one who typed MA07BE before and MA07BF after."""
    matched_people(workspace, 6)
    respond(workspace.pre, "MA07BE", answers(2), profession="Health visitor")
    respond(workspace.post, "MA07BF", answers(6), profession="Health visitor")


def _decide(workspace: Workspace, cohort: Cohort, earlier: str, later: str, decision: str) -> None:
    url = reverse("results:cohort_matching", args=["northern", cohort.pk])
    response = client_for(workspace.users["evaluator"]).post(
        url, {"code_a": earlier, "code_b": later, "decision": decision}
    )
    assert response.status_code == 302, response.content[:300]


def _scope_args(scope: Scope) -> list[object]:
    if scope.cohort is not None:
        return ["northern", scope.cohort.pk]
    if scope.programme is not None:
        return ["northern", scope.programme.pk]
    return ["northern"]


def _download(
    workspace: Workspace, scope: Scope, tmp_path: Path, role: str = "trainer", kind: str = "csv"
) -> tuple[Path, Path]:
    """The scope's responses export and match decisions CSV, saved as a user would save them."""
    client = client_for(workspace.users[role])
    args = _scope_args(scope)
    export = client.get(reverse(f"results:{scope.kind}_export", args=args), {"format": kind})
    decisions = client.get(reverse(f"results:{scope.kind}_match_decisions", args=args))
    assert export.status_code == 200 and decisions.status_code == 200
    responses_path = tmp_path / f"responses.{kind}"
    decisions_path = tmp_path / "match-decisions.csv"
    responses_path.write_bytes(export.content)
    decisions_path.write_bytes(decisions.content)
    return responses_path, decisions_path


def _cli_evaluation(responses: Path, decisions: Path) -> dict[str, object]:
    """What ``imheval analyse responses.csv -i imh-core --accept-matches decisions`` computes."""
    options = EvaluationOptions(accepted_matches=read_accepted_csv(decisions))
    evaluation = evaluate_file(responses, [CORE], options)
    return json.loads(json.dumps(evaluation.to_dict()))  # type: ignore[no-any-return]


def _matched(evaluation: Evaluation) -> int:
    return int(evaluation.matched.cohorts["n_matched"].sum())


def _page_evaluation(scope: Scope) -> dict[str, object]:
    analysis = analyse(scope)
    assert analysis.evaluation is not None, analysis.problem
    return json.loads(json.dumps(analysis.evaluation.to_dict()))  # type: ignore[no-any-return]


def _rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_bytes().decode("utf-8-sig"))))


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_responses_and_match_decisions_read_by_the_cli_give_the_pages_evaluation(
    workspace: Workspace, tmp_path: Path, kind: str
) -> None:
    _typo_pair(workspace)
    _decide(workspace, workspace.cohort, "MA07BE", "MA07BF", "accepted")
    scope = Scope.of(workspace.organisation, workspace.cohort)
    responses, decisions = _download(workspace, scope, tmp_path, kind=kind)

    assert read_accepted_csv(decisions) == (("SOL-1", "MA07BE", "MA07BF"),)
    from_cli = _cli_evaluation(responses, decisions)
    page = _page_evaluation(scope)
    _assert_same(from_cli, page)
    assert from_cli["settings"]["accepted_matches"] == 1  # type: ignore[index]
    # the decisions file is what makes the difference: without it the CLI counts two people
    with_file = evaluate_file(
        responses, [CORE], EvaluationOptions(accepted_matches=read_accepted_csv(decisions))
    )
    assert _matched(with_file) == analyse(scope).matched_pairs == 7
    assert _matched(evaluate_file(responses, [CORE])) == 6


def test_the_file_is_the_review_csv_layout_utf8_with_a_byte_order_mark(
    workspace: Workspace,
) -> None:
    _typo_pair(workspace)
    _decide(workspace, workspace.cohort, "MA07BE", "MA07BF", "accepted")
    url = reverse("results:cohort_match_decisions", args=["northern", workspace.cohort.pk])
    response = client_for(workspace.users["evaluator"]).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="northern-SOL-1-match-decisions.csv"'
    )
    assert response["Cache-Control"] == "no-store"
    assert response.content.startswith(b"\xef\xbb\xbf")
    lines = response.content.decode("utf-8-sig").split("\r\n")
    assert lines[0].split(",") == list(REVIEW_COLUMNS)
    assert lines[1].split(",") == [
        "SOL-1",
        "pre",
        "MA07BE",
        "post",
        "MA07BF",
        ONE_CHARACTER,
        "",
        "yes",
    ]
    assert lines[2:] == [""]


def test_a_rejected_decision_is_written_as_no_and_does_not_merge(
    workspace: Workspace, tmp_path: Path
) -> None:
    _typo_pair(workspace)
    _decide(workspace, workspace.cohort, "MA07BE", "MA07BF", "rejected")
    scope = Scope.of(workspace.organisation, workspace.cohort)
    responses, decisions = _download(workspace, scope, tmp_path)
    rows = _rows(decisions)
    assert [(r["earlier_code"], r["later_code"], r["accept"]) for r in rows] == [
        ("MA07BE", "MA07BF", "no")
    ]
    assert read_accepted_csv(decisions) == ()
    from_cli = _cli_evaluation(responses, decisions)
    _assert_same(from_cli, _page_evaluation(scope))
    assert from_cli["settings"]["accepted_matches"] == 0  # type: ignore[index]
    assert analyse(scope).matched_pairs == 6


def test_cohorts_are_named_as_in_the_responses_export_at_every_scope(
    workspace: Workspace, tmp_path: Path
) -> None:
    """A second programme with a cohort also called SOL-1: the organisation's files name both
    as "programme: SOL-1", and the round trip still gives the page's evaluation."""
    _typo_pair(workspace)
    _decide(workspace, workspace.cohort, "MA07BE", "MA07BF", "accepted")
    other = Programme.objects.create(
        organisation=workspace.organisation,
        name="Think Family",
        provider="Trust",
        level="beginner",
        delivery="online",
        duration_value=2,
        duration_unit="hours",
    )
    twin = Cohort.objects.create(
        programme=other, name="SOL-1", start_date=datetime.date(2026, 12, 1)
    )
    core = {"instrument_refs": ["imh-core"], "instrument_versions": CORE_V1}
    pre = Collection.objects.create(cohort=twin, timepoint="pre", **core)
    post = Collection.objects.create(cohort=twin, timepoint="post", **core)
    for i in range(5):
        respond(pre, f"T{i:02d}AB", answers(2 + i % 3, rating=2 + i % 2))
        respond(post, f"T{i:02d}AB", answers(5 + i % 3, rating=4))
    respond(pre, "ZZ12-AB", answers(1), profession="Nurse")
    respond(post, "ZZ99-AB", answers(7), profession="Nurse")
    _decide(workspace, twin, "ZZ12-AB", "ZZ99-AB", "accepted")

    organisation = Scope.of(workspace.organisation)
    responses, decisions = _download(workspace, organisation, tmp_path, role="admin")
    assert read_accepted_csv(decisions) == (
        ("Solihull Approach foundation: SOL-1", "MA07BE", "MA07BF"),
        ("Think Family: SOL-1", "ZZ12-AB", "ZZ99-AB"),
    )
    exported_cohorts = {row["cohort"] for row in _rows(responses)}
    assert {row["cohort"] for row in _rows(decisions)} <= exported_cohorts
    assert _rows(decisions)[1]["reason"] == "one code part different"
    _assert_same(_cli_evaluation(responses, decisions), _page_evaluation(organisation))

    # the programme's files name its cohort plainly, as its responses export does
    programme = Scope.of(workspace.organisation, other)
    (tmp_path / "programme").mkdir()
    responses, decisions = _download(workspace, programme, tmp_path / "programme")
    assert read_accepted_csv(decisions) == (("SOL-1", "ZZ12-AB", "ZZ99-AB"),)
    assert {row["cohort"] for row in _rows(responses)} == {"SOL-1"}
    _assert_same(_cli_evaluation(responses, decisions), _page_evaluation(programme))


def test_only_decisions_the_analysis_applies_are_written(
    workspace: Workspace, tmp_path: Path
) -> None:
    """A decision whose code is no longer in the data joins nothing, so it is left out."""
    _typo_pair(workspace)
    respond(workspace.pre, "QQ11QQ", answers(3))
    respond(workspace.post, "QQ11QR", answers(6))
    _decide(workspace, workspace.cohort, "MA07BE", "MA07BF", "accepted")
    _decide(workspace, workspace.cohort, "QQ11QQ", "QQ11QR", "rejected")
    Submission.objects.filter(code="MA07BF").delete()
    scope = Scope.of(workspace.organisation, workspace.cohort)
    responses, decisions = _download(workspace, scope, tmp_path)
    assert [(r["earlier_code"], r["accept"]) for r in _rows(decisions)] == [("QQ11QQ", "no")]
    table = scope_table(scope, scope_instruments(scope))
    assert read_accepted_csv(decisions) == accepted_matches(scope, table) == ()
    _assert_same(_cli_evaluation(responses, decisions), _page_evaluation(scope))


def test_viewers_get_403_and_outsiders_404(workspace: Workspace) -> None:
    _typo_pair(workspace)
    _decide(workspace, workspace.cohort, "MA07BE", "MA07BF", "accepted")
    urls = [
        reverse("results:cohort_match_decisions", args=["northern", workspace.cohort.pk]),
        reverse("results:programme_match_decisions", args=["northern", workspace.programme.pk]),
        reverse("results:organisation_match_decisions", args=["northern"]),
    ]
    viewer = client_for(workspace.users["viewer"])
    outsider = client_for(workspace.outsider)
    for url in urls:
        refused = viewer.get(url)
        assert refused.status_code == 403, url
        assert b"MA07BE" not in refused.content
        assert "cannot download response-level data" in refused.content.decode()
        hidden = outsider.get(url)
        assert hidden.status_code == 404, url
        assert b"MA07BE" not in hidden.content
        for role in ("admin", "evaluator", "trainer"):
            assert client_for(workspace.users[role]).get(url).status_code == 200, (role, url)
        assert client_for(workspace.users["admin"]).post(url).status_code == 405, url


def test_with_nothing_to_analyse_the_file_has_only_its_header(workspace: Workspace) -> None:
    """No complete response yet: no decision can apply, so the CLI would merge nothing."""
    url = reverse("results:cohort_match_decisions", args=["northern", workspace.cohort.pk])
    response = client_for(workspace.users["trainer"]).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.decode("utf-8-sig") == ",".join(REVIEW_COLUMNS) + "\r\n"


def test_the_results_page_offers_the_download_beside_the_response_exports(
    workspace: Workspace,
) -> None:
    _typo_pair(workspace)
    for scope in (
        Scope.of(workspace.organisation),
        Scope.of(workspace.organisation, workspace.programme),
        Scope.of(workspace.organisation, workspace.cohort),
    ):
        args = _scope_args(scope)
        page_url = reverse(f"results:{scope.kind}", args=args)
        link = reverse(f"results:{scope.kind}_match_decisions", args=args)
        page = client_for(workspace.users["trainer"]).get(page_url).content.decode()
        exports = page[page.index('id="response-exports"') :]
        exports = exports[: exports.index("</ul>")]
        assert f'<a href="{link}">Match decisions (CSV)' in exports
        # the command line sits in a details element of the side panel, for those who want it
        assert "Reproduce these results on the command line</span></summary>" in page
        assert (
            "Download the responses and the match decisions and run: <code>imheval analyse "
            "responses.csv -i &lt;instrument&gt; --accept-matches match-decisions.csv</code>"
        ) in page
        viewer_page = client_for(workspace.users["viewer"]).get(page_url).content.decode()
        assert link not in viewer_page
        assert "--accept-matches" not in viewer_page


#: What a spreadsheet runs as a formula: a cell starting with one of these (numbers aside).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _runs_as_formula(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return cell.startswith(_FORMULA_STARTS)
    return False


def test_formula_like_cohorts_and_codes_are_neutralised_and_read_back_as_they_were(
    workspace: Workspace, tmp_path: Path
) -> None:
    """The attack: a cohort named like a formula and codes starting with + and @ (stored before
    imports checked codes) came out verbatim in the decisions CSV, so a spreadsheet ran them."""
    Cohort.objects.filter(pk=workspace.cohort.pk).update(name="=HYPERLINK(1)")
    matched_people(workspace, 6)
    respond(workspace.pre, "+MA07BE", answers(2), profession="@SUM(1)")
    respond(workspace.post, "+MA07BF", answers(6), profession="-2+3")
    # stored directly: the review page only offers pairs of well-formed codes
    MatchDecision.objects.create(
        cohort=workspace.cohort,
        code_a="+MA07BE",
        code_b="+MA07BF",
        earlier_timepoint="pre",
        later_timepoint="post",
        decision="accepted",
    )
    scope = Scope.of(workspace.organisation, workspace.cohort)
    responses, decisions = _download(workspace, scope, tmp_path)

    for path in (responses, decisions):
        cells = [
            cell
            for row in csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig")))
            for cell in row
        ]
        assert [cell for cell in cells if _runs_as_formula(cell)] == []
    assert _rows(decisions)[0]["cohort"] == "'=HYPERLINK(1)"
    assert _rows(decisions)[0]["earlier_code"] == "'+MA07BE"
    assert read_accepted_csv(decisions) == (("=HYPERLINK(1)", "+MA07BE", "+MA07BF"),)
    _assert_same(_cli_evaluation(responses, decisions), _page_evaluation(scope))
    assert analyse(scope).matched_pairs == 7
