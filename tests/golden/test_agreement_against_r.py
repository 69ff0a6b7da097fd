"""Agreement between coders against R (agreement_r_results.json) and statsmodels.

make_golden_agreement.R read agreement_inputs.json (coders' ranges per source), expanded them to
0/1 units and wrote percent agreement (by hand), ``irr::kappa2`` and
``irr::kripp.alpha(method = "nominal")`` per source and pooled, with 15 significant digits, so
values must agree to rtol 1e-9. R's NaN (nobody coded, everyone coded everything) is null there
and None here. Kappa is also checked against statsmodels' ``cohens_kappa`` on the 2x2 table.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from statsmodels.stats.inter_rater import cohens_kappa

from imheval.qualitative.agreement import AgreementFigures, agreement
from imheval.qualitative.model import Code, Coding, Project, Source, Turn, User

HERE = Path(__file__).parent
INPUTS: dict[str, Any] = json.loads((HERE / "agreement_inputs.json").read_text())
R: dict[str, Any] = json.loads((HERE / "agreement_r_results.json").read_text())
CASES = {case["id"]: case for case in INPUTS["cases"]}
EXPECTED = {case["id"]: case for case in R["cases"]}

RTOL, ATOL = 1e-9, 1e-12


def _project(case: dict[str, Any]) -> Project:
    users = tuple(User(f"U{i}", name) for i, name in enumerate(case["coders"]))
    guid_of = {user.name: user.guid for user in users}
    sources: list[Source] = []
    codings: list[Coding] = []
    for s, entry in enumerate(case["sources"]):
        turns = tuple(Turn(start, end, "PX1") for start, end in entry.get("turns", []))
        sources.append(Source(f"S{s}", entry["name"], "x" * entry["length"], turns))
        for coder, ranges in entry["codings"].items():
            for r, (start, end) in enumerate(ranges):
                codings.append(
                    Coding(
                        f"K{s}-{coder}-{r}", f"T{s}-{r}", f"S{s}", start, end, "C1", guid_of[coder]
                    )
                )
    return Project(
        name=case["id"],
        users=users,
        codes=(Code("C1", "The code"),),
        sources=tuple(sources),
        codings=tuple(codings),
    )


def _assert_matches(actual: AgreementFigures, expected: dict[str, Any]) -> None:
    assert actual.units == expected["units"]
    assert actual.percent_agreement == pytest.approx(
        expected["percent_agreement"], rel=RTOL, abs=ATOL
    )
    for name in ("cohen_kappa", "krippendorff_alpha"):
        value, wanted = getattr(actual, name), expected.get(name)
        if wanted is None:
            assert value is None, name
        else:
            assert value == pytest.approx(wanted, rel=RTOL, abs=ATOL), name
    # a reason exactly when something is null
    nothing_missing = None not in (actual.cohen_kappa, actual.krippendorff_alpha)
    assert (actual.reason is None) == nothing_missing


@pytest.mark.parametrize("case_id", sorted(CASES))
def test_pooled_and_per_source_figures_match_r(case_id: str) -> None:
    case, expected = CASES[case_id], EXPECTED[case_id]
    report = agreement(_project(case), unit=case["unit"], coders=case["coders"])
    (result,) = report.codes
    _assert_matches(result.pooled, expected["pooled"])
    assert [entry.source.name for entry in result.sources] == [
        entry["source"] for entry in expected["sources"]
    ]
    for entry, wanted in zip(result.sources, expected["sources"], strict=True):
        _assert_matches(entry.figures, wanted)


def test_the_research_notes_four_vectors_have_the_published_figures() -> None:
    """The figures in the research note's table (rounded there to 4 places)."""
    published = {
        "overlap": (0.90, 0.4444, 0.4447),
        "identical": (1.0, 1.0, 1.0),
        "disjoint": (0.80, -0.1111, -0.1106),
        "overlapping_segments": (1.0, 1.0, 1.0),
    }
    for case_id, (percent, kappa, alpha) in published.items():
        pooled = agreement(_project(CASES[case_id])).codes[0].pooled
        assert pooled.percent_agreement == pytest.approx(percent, abs=1e-12)
        assert pooled.cohen_kappa == pytest.approx(kappa, abs=5e-5)
        assert pooled.krippendorff_alpha == pytest.approx(alpha, abs=5e-5)


def test_pooled_is_not_the_mean_of_the_sources() -> None:
    result = agreement(_project(CASES["pooled_two_sources"])).codes[0]
    assert result.pooled.units == 1300
    mean_of_sources = np.mean([entry.figures.cohen_kappa for entry in result.sources])
    assert result.pooled.cohen_kappa != pytest.approx(mean_of_sources, rel=1e-3)


def _two_by_two(case: dict[str, Any]) -> np.ndarray:
    """The pooled 2x2 table of units (rows: first coder coded or not; columns: second)."""
    first, second = case["coders"]
    table = np.zeros((2, 2))
    for entry in case["sources"]:
        vectors = []
        for coder in (first, second):
            coded = np.zeros(entry["length"], dtype=bool)
            for start, end in entry["codings"][coder]:
                coded[start:end] = True
            if case["unit"] == "turn":
                coded = np.array([coded[start:end].any() for start, end in entry["turns"]])
            vectors.append(coded)
        for a in (0, 1):
            for b in (0, 1):
                table[a, b] += np.sum((vectors[0] == a) & (vectors[1] == b))
    return table


@pytest.mark.parametrize(
    "case_id",
    sorted(
        case_id
        for case_id, expected in EXPECTED.items()
        if len(CASES[case_id]["coders"]) == 2 and expected["pooled"].get("cohen_kappa") is not None
    ),
)
def test_kappa_matches_statsmodels(case_id: str) -> None:
    case = CASES[case_id]
    pooled = agreement(_project(case), unit=case["unit"]).codes[0].pooled
    assert pooled.cohen_kappa == pytest.approx(
        cohens_kappa(_two_by_two(case)).kappa, rel=RTOL, abs=ATOL
    )


def test_results_record_the_r_and_irr_versions() -> None:
    assert R["r_version"].startswith("R version")
    assert R["irr_version"]
