"""The proof that conversion loses nothing: imheval's demo study, written in REDCap's,
LimeSurvey's, FHIR's and Microsoft Forms' formats (tests/interop/data/demo/, made by its
make_demo_fixtures.py), converted and analysed, gives EXACTLY the evaluation of the demo file in
imheval's own layout: the whole evaluation JSON is compared, every number at full precision,
every table, test, note and finding.

Three things differ, and are checked for what they are: the time the evaluation was made, its
``source`` (the files it read), and its list of instruments: the demo answers two instruments
(imh-core 1.0.0 and imh-advanced-knowledge 1.0.0), which another system captures as one
questionnaire, ``imh-demo`` (see make_demo_fixtures.py), so the converted data are scored with
one instrument holding both. Microsoft Forms has no questionnaire file and its downloads cannot
show options nobody chose nor tell an invalid answer from an option, so Forms is read with the
instrument the form was made from (``imh-demo.yaml``), as a trainer who built the form from
imheval would.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from imheval.cli import app
from imheval.demo import demo_instruments, demo_path
from imheval.evaluation import EvaluationOptions, evaluate, evaluate_file
from imheval.instruments import load_instrument
from imheval.instruments.writer import instrument_to_dict
from imheval.interop.convert import convert
from imheval.interop.model import Conversion, ResponseOptions, SourceFile, System
from imheval.interop.output import conversion_table
from imheval.scoring import MissingPolicy

DEMO = Path(__file__).parent / "data" / "demo"
DICTIONARY = DEMO / "redcap" / "imh-demo-dictionary.csv"
TWO_SURVEYS = {"records-pre.csv": "pre", "records-post.csv": "post"}
FORMS_FILES = {"pre.xlsx": "pre", "post.xlsx": "post"}
NOT_COMPARED = ("created", "source", "instruments")

runner = CliRunner()


def source(*parts: str) -> SourceFile:
    return SourceFile.read(DEMO.joinpath(*parts))


def demo_instrument() -> Any:
    return load_instrument(DEMO / "imh-demo.yaml")


#: The analysis options compared: the defaults, and the other missing-data policies.
OPTIONS = {
    "default": EvaluationOptions(),
    "complete-case, tolerant": EvaluationOptions(
        missing_policy=MissingPolicy.COMPLETE_CASE, match_mode="tolerant"
    ),
    "prorated, groups of 1": EvaluationOptions(
        missing_policy=MissingPolicy.PRORATED, min_group_size=1
    ),
}


@cache
def native(options: str = "default") -> dict[str, Any]:
    """The evaluation of the demo study in imheval's own layout, with its two instruments."""
    return evaluate_file(demo_path(), demo_instruments(), OPTIONS[options]).to_dict()  # type: ignore[no-any-return]


def same_evaluation(converted: dict[str, Any], options: str = "default") -> None:
    expected = native(options)
    assert expected["instruments"] == [
        {"id": "imh-core", "version": "1.0.0"},
        {"id": "imh-advanced-knowledge", "version": "1.0.0"},
    ]
    assert converted["instruments"] == [{"id": "imh-demo", "version": "1.0.0"}]
    mine = {k: v for k, v in converted.items() if k not in NOT_COMPARED}
    theirs = {k: v for k, v in expected.items() if k not in NOT_COMPARED}
    assert mine.keys() == theirs.keys()
    for key in theirs:  # one key at a time, so a failure says where
        assert mine[key] == theirs[key], key


def evaluation_of(conversion: Conversion, options: str = "default") -> dict[str, Any]:
    table = conversion_table(conversion)
    instrument = conversion.structure.instrument
    return evaluate(table, [instrument], OPTIONS[options]).to_dict()  # type: ignore[no-any-return]


def test_one_instrument_of_both_scores_as_the_two_do() -> None:
    """The premise: the demo's two instruments as one give the same evaluation."""
    same_evaluation(evaluate_file(demo_path(), [demo_instrument()]).to_dict())


CASES = {
    "redcap-longitudinal": lambda: convert(
        [source("redcap", "records-longitudinal.csv")],
        System.REDCAP,
        structure=SourceFile.read(DICTIONARY),
    ),
    "redcap-two-surveys": lambda: convert(
        [source("redcap", "records-pre.csv"), source("redcap", "records-post.csv")],
        System.REDCAP,
        structure=SourceFile.read(DICTIONARY),
        options=ResponseOptions(timepoints=TWO_SURVEYS),
    ),
    "limesurvey": lambda: convert(
        [source("limesurvey", "responses-codes.csv")],
        System.LIMESURVEY,
        structure=source("limesurvey", "imh-demo.lss"),
    ),
    "fhir": lambda: convert(
        [source("fhir", "imh-demo-responses.json")],
        System.FHIR,
        structure=source("fhir", "imh-demo-questionnaire.json"),
    ),
    "msforms": lambda: convert(
        [source("msforms", "pre.xlsx"), source("msforms", "post.xlsx")],
        System.MSFORMS,
        instrument=demo_instrument(),
        options=ResponseOptions(timepoints=FORMS_FILES),
    ),
}

#: What each export holds that identifies people, dropped on import.
DROPPED = {
    "redcap-longitudinal": ("record_id", "email"),
    "redcap-two-surveys": ("record_id", "redcap_survey_identifier"),
    "limesurvey": ("ipaddr",),
    "fhir": (),
    "msforms": ("Email", "Name"),
}


@cache
def converted(case: str) -> Conversion:
    return CASES[case]()


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_conversion_carries_every_response_and_question(case: str) -> None:
    conversion = converted(case)
    responses = conversion.responses
    assert responses is not None
    assert len(responses.frame) == 154
    assert responses.left_out == ()
    assert responses.dropped == DROPPED[case]
    assert conversion.structure.unkeyed == ()
    assert conversion.structure.omissions == ()
    expected = instrument_to_dict(demo_instrument())
    got = instrument_to_dict(conversion.structure.instrument)
    assert got == expected  # every system carries the whole instrument, concepts included
    # the untidy answers are carried as given, so they score as invalid as in the demo file
    frame = responses.frame
    assert sorted(frame.loc[frame["K4"] == "b,c", "participant"]) == ["WT-05-C"]
    assert sorted(frame.loc[frame["R2"] == "x", "participant"]) == ["AZ-26-T"]
    assert "zm-05-d" in set(frame["participant"])  # the code typed in lower case


@pytest.mark.parametrize("case", sorted(CASES))
def test_converted_and_analysed_gives_exactly_the_native_evaluation(case: str) -> None:
    same_evaluation(evaluation_of(converted(case)))


def test_every_policy_and_tolerant_matching_give_the_same_too() -> None:
    for options in ("complete-case, tolerant", "prorated, groups of 1"):
        same_evaluation(evaluation_of(converted("redcap-longitudinal"), options), options)
        same_evaluation(evaluation_of(converted("fhir"), options), options)


def test_the_command_line_convert_then_analyse_gives_the_native_evaluation(tmp_path: Path) -> None:
    out = tmp_path / "converted"
    result = runner.invoke(
        app,
        [
            "convert", str(DEMO / "limesurvey" / "responses-codes.csv"), "--from", "limesurvey",
            "--structure", str(DEMO / "limesurvey" / "imh-demo.lss"), "--out", str(out),
        ],
        terminal_width=200,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Converted 154 responses (80 pre, 74 post) from LimeSurvey" in result.output
    report = (out / "conversion-report.txt").read_text(encoding="utf-8")
    assert "Identifying columns dropped (never written anywhere): 1" in report
    evaluation = tmp_path / "evaluation.json"
    result = runner.invoke(
        app,
        [
            "analyse", str(out / "responses.csv"), "-i", str(out / "instrument.yaml"),
            "--json", str(evaluation),
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    same_evaluation(json.loads(evaluation.read_text(encoding="utf-8")))


def test_analyse_from_gives_the_native_evaluation(tmp_path: Path) -> None:
    evaluation = tmp_path / "evaluation.json"
    result = runner.invoke(
        app,
        [
            "analyse", str(DEMO / "msforms" / "pre.xlsx"), str(DEMO / "msforms" / "post.xlsx"),
            "--from", "msforms", "-i", str(DEMO / "imh-demo.yaml"),
            "--timepoint", "pre.xlsx=pre", "--timepoint", "post.xlsx=post",
            "--json", str(evaluation),
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    document = json.loads(evaluation.read_text(encoding="utf-8"))
    assert document["source"] == "pre.xlsx, post.xlsx"
    same_evaluation(document)


def test_analyse_from_redcap_with_events_named_gives_the_native_evaluation(tmp_path: Path) -> None:
    evaluation = tmp_path / "evaluation.json"
    result = runner.invoke(
        app,
        [
            "analyse", str(DEMO / "redcap" / "records-longitudinal.csv"), "--from", "redcap",
            "--structure", str(DICTIONARY), "--events", "pre_arm_1=pre",
            "--events", "post_arm_1=post", "--json", str(evaluation),
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    same_evaluation(json.loads(evaluation.read_text(encoding="utf-8")))
