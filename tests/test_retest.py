"""The test-retest study as a library call: one frozen result with the figures the CLI prints."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from imheval.errors import AnalysisError
from imheval.instruments import Instrument, load_instrument
from imheval.retest import RetestStudy, retest_study
from pilot_retest import write_pilot


def _pilot(tmp_path: Path, *, retest: bool = True, followup: bool = False) -> Path:
    data, _ = write_pilot(tmp_path, retest=retest, followup=followup)
    return data


@pytest.fixture
def form(tmp_path: Path) -> Instrument:
    _, path = write_pilot(tmp_path)
    return load_instrument(path)


def test_retest_study_gives_icc_per_domain_and_kappa_per_item(
    tmp_path: Path, form: Instrument
) -> None:
    study = retest_study(_pilot(tmp_path), [form])

    assert isinstance(study, RetestStudy)
    assert study.source.endswith("pilot.csv")
    assert study.instruments == (("pilot-form", "1.0.0"),)
    assert (study.n_first, study.n_retest, study.n_both) == (4, 4, 4)
    (knowledge,) = study.reliability.domains
    assert knowledge.domain == "knowledge" and study.label("knowledge") == "Knowledge"
    assert knowledge.icc.n == 4
    assert knowledge.icc.estimate == pytest.approx(8 / 9)
    assert knowledge.icc.details["icc_c1"] == pytest.approx(12 / 13)
    assert knowledge.interpretation.startswith("Good test-retest reliability")
    items = {item.item: item for item in study.reliability.items}
    assert list(items) == ["K1", "K2", "K3", "K4", "K5"]
    assert items["K3"].domain == "knowledge"
    assert items["K3"].kappa.percent_agreement == pytest.approx(0.75)
    assert items["K3"].kappa.kappa == pytest.approx(0.5)
    # everyone right on K1 both times: agreement 100%, kappa undefined
    assert items["K1"].kappa.percent_agreement == 1.0 and items["K1"].kappa.kappa is None
    assert items["K1"].kappa.reason is not None
    # K2: right for all but P1 both times: kappa 1, no CI (its standard error is 0)
    assert items["K2"].kappa.kappa == pytest.approx(1.0) and items["K2"].kappa.ci is None
    assert any(note.startswith("No CI is shown for a kappa") for note in study.notes)


def test_retest_study_is_frozen_and_serialises_to_the_cli_json(
    tmp_path: Path, form: Instrument
) -> None:
    study = retest_study(_pilot(tmp_path), [form])
    with pytest.raises(dataclasses.FrozenInstanceError):
        study.n_both = 5  # type: ignore[misc]
    document = study.to_dict()
    assert list(document) == [
        "source",
        "instruments",
        "n_first",
        "n_retest",
        "n_both",
        "domain_labels",
        "domains",
        "items",
        "notes",
    ]
    assert document["instruments"] == [{"id": "pilot-form", "version": "1.0.0"}]
    assert document["domains"][0]["label"] == "Knowledge"
    assert document["domains"][0]["icc"]["estimate"] == pytest.approx(8 / 9)
    assert document["items"][2]["kappa"] == pytest.approx(0.5)


def test_retest_study_of_already_scored_totals_has_no_items(tmp_path: Path) -> None:
    path = tmp_path / "totals.csv"
    rows = ["participant,cohort,timepoint,knowledge"]
    rows += [f"P{i},C,pre,{v}" for i, v in enumerate([1, 2, 3, 4])]
    rows += [f"P{i},C,post,{v}" for i, v in enumerate([1, 3, 3, 5])]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    study = retest_study(path)
    assert study.instruments == () and study.reliability.items == ()
    assert study.reliability.domains[0].icc.estimate == pytest.approx(8 / 9)


def test_retest_study_notes_that_follow_up_rows_were_ignored(
    tmp_path: Path, form: Instrument
) -> None:
    study = retest_study(_pilot(tmp_path, followup=True), [form])
    assert study.n_both == 4
    assert study.reliability.domains[0].icc.estimate == pytest.approx(8 / 9)
    assert study.notes[-1] == (
        "Follow-up rows were ignored: a test-retest pilot has two administrations."
    )


def test_retest_study_without_a_retest_says_how_to_code_it(
    tmp_path: Path, form: Instrument
) -> None:
    with pytest.raises(AnalysisError, match="nobody answered both times") as caught:
        retest_study(_pilot(tmp_path, retest=False), [form])
    assert "first administration: 4 people, retest: 0" in str(caught.value)
