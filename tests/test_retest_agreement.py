"""The fuller test-retest pilot: option vs score agreement, weighted kappa, measurement error.

A pilot of 6 people with one keyed question of three options (key a) and one 1-5 rating.
Q1 first: a, b, c, b, a, c; retest: a, c, b, b, a, c. P2 and P3 swap wrong options (b <-> c):
they agree on the score (wrong both times) but not on the option. So agreement on the score is
6/6 and on the option 4/6. Rating R1 first 1, 2, 3, 4, 5, 3 and retest 1, 2, 4, 4, 5, 2: exact
4/6, within one point 6/6.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from imheval.cli import app
from imheval.instruments import load_instrument
from imheval.retest import retest_study

INSTRUMENT = """\
format: imheval-instrument/1
id: pilot-mixed
version: 1.0.0
title: Pilot with options and ratings
levels: [beginner]
domains:
  - {id: knowledge, label: Knowledge}
  - {id: confidence, label: Confidence}
scales:
  five: {min: 1, max: 5}
items:
  - {id: Q1, domain: knowledge, text: Which one, key: a,
     options: {a: Right, b: Wrong one, c: Wrong two}}
  - {id: R1, domain: confidence, text: How confident, scale: five}
"""
FIRST = {"P1": ("a", 1), "P2": ("b", 2), "P3": ("c", 3), "P4": ("b", 4), "P5": ("a", 5)}
RETEST = {"P1": ("a", 1), "P2": ("c", 2), "P3": ("b", 4), "P4": ("b", 4), "P5": ("a", 5)}
FIRST["P6"], RETEST["P6"] = ("c", 3), ("c", 2)


def _pilot(tmp_path: Path) -> tuple[Path, Path]:
    instrument = tmp_path / "pilot-mixed.yaml"
    instrument.write_text(INSTRUMENT, encoding="utf-8")
    lines = ["participant,cohort,timepoint,Q1,R1"]
    for timepoint, answers in (("pre", FIRST), ("post", RETEST)):
        lines += [f"{code},Pilot,{timepoint},{q},{r}" for code, (q, r) in answers.items()]
    data = tmp_path / "pilot.csv"
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return data, instrument


def test_keyed_item_has_agreement_on_the_option_and_on_the_score(tmp_path: Path) -> None:
    data, instrument = _pilot(tmp_path)
    study = retest_study(data, [load_instrument(instrument)])
    items = {item.item: item for item in study.reliability.items}
    q1 = items["Q1"]
    assert q1.kind == "keyed" and "right or wrong" in q1.compares
    assert q1.kappa.percent_agreement == pytest.approx(1.0)  # the score: all agree
    assert q1.option is not None
    assert q1.option.percent_agreement == pytest.approx(4 / 6)  # the option: P2, P3 differ
    assert q1.option.agreement_ci is not None and q1.option.agreement_ci.high < 1
    assert q1.options == ("a", "b", "c")
    document = q1.to_dict()
    assert document["option_agreement"]["compares"] == "the option chosen"
    assert document["option_agreement"]["options"] == ["a", "b", "c"]
    assert document["percent_agreement_ci"] is not None
    assert document["summary"] == (
        "4 of 6 people (67%, 95% CI 30% to 90%) chose the same option both times; 6 of 6 "
        "people (100%, 95% CI 61% to 100%) got the same score (right or wrong)."
    )


def test_rating_item_has_weighted_kappas(tmp_path: Path) -> None:
    data, instrument = _pilot(tmp_path)
    study = retest_study(data, [load_instrument(instrument)])
    r1 = next(item for item in study.reliability.items if item.item == "R1")
    assert r1.kind == "rating" and r1.option is None and r1.ratings is not None
    assert r1.ratings.categories == (1.0, 2.0, 3.0, 4.0, 5.0)
    assert r1.ratings.exact.share == pytest.approx(4 / 6)
    assert r1.ratings.within_one.share == pytest.approx(1.0)
    unweighted, linear, quadratic = (k.kappa for k in r1.ratings.kappas())
    assert unweighted is not None and linear is not None and quadratic is not None
    assert unweighted < linear < quadratic
    assert (
        "gave the same rating both times and 100% were within one point"
        in (r1.to_dict()["summary"])
    )
    assert r1.to_dict()["rating_agreement"]["quadratic"]["interpretation"] == "almost perfect"


def test_each_domain_has_limits_of_agreement_and_a_smallest_detectable_change(
    tmp_path: Path,
) -> None:
    data, instrument = _pilot(tmp_path)
    study = retest_study(data, [load_instrument(instrument)])
    confidence = next(d for d in study.reliability.domains if d.domain == "confidence")
    assert confidence.bland_altman is not None and confidence.measurement_error is not None
    # differences 0, 0, 1, 0, 0, -1: bias 0, SD sqrt(2/5)
    assert confidence.bland_altman.bias == pytest.approx(0.0)
    assert confidence.bland_altman.sd_diff == pytest.approx((2 / 5) ** 0.5)
    assert confidence.measurement_error.sdc_individual is not None
    document = study.to_dict()
    domain = next(d for d in document["domains"] if d["domain"] == "confidence")
    assert "must change by" in domain["measurement_error"]["interpretation"]
    assert domain["measurement_error"]["unit"] == "score points"
    assert "limits of agreement" in domain["bland_altman"]["interpretation"]


def test_cli_prints_option_and_score_tables_and_measurement_error(tmp_path: Path) -> None:
    data, instrument = _pilot(tmp_path)
    out = tmp_path / "r.json"
    result = CliRunner().invoke(
        app,
        ["reliability", str(data), "-i", str(instrument), "--json", str(out)],
        terminal_width=240,
    )
    assert result.exit_code == 0, result.output
    text = result.output
    assert "the same score both times" in text
    assert "the same option chosen both times" in text
    assert "weighted kappa" in text and "Linear kappa" in text
    assert "measurement error, in score points" in text
    assert "must change by" in text
    option_table = text[text.index("the same option chosen") :]
    q1_option = next(line for line in option_table.splitlines() if "Q1 " in line)
    assert "67% [30, 90]" in q1_option
    document = json.loads(out.read_text(encoding="utf-8"))
    assert "NaN" not in out.read_text(encoding="utf-8")
    items = {item["item"]: item for item in document["items"]}
    assert items["R1"]["rating_agreement"]["linear"]["weighting"] == "linear"
