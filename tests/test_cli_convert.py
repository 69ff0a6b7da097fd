"""imheval convert, imheval analyse --from and imheval instruments export: the options, the
summary, the files written, and clear errors without a traceback.

The systems' readers have tests of their own; here the REDCap record reader is replaced by one
that returns known responses, so what is tested is the command line's part only.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Sequence
from pathlib import Path

import pytest
from typer.testing import CliRunner

from imheval.cli import app
from imheval.cli.convert import OptionError, reading_options
from imheval.instruments import get_builtin, load_instrument
from imheval.interop.common import tidy_frame
from imheval.interop.model import (
    InstrumentImport,
    Omission,
    ResponseOptions,
    ResponsesImport,
    SourceFile,
    System,
)

runner = CliRunner()
# the module (the package's name 'convert' is its function)
convert_module = importlib.import_module("imheval.interop.convert")

RECORDS = (
    "record_id,redcap_event_name,own_code,email,K1,K2,imh_core_complete\n1,pre_arm_1,A,x,c,b,2\n"
)


@pytest.fixture
def records(tmp_path: Path) -> Path:
    path = tmp_path / "records.csv"
    path.write_text(RECORDS, encoding="utf-8")
    return path


@pytest.fixture
def fake_reader(monkeypatch: pytest.MonkeyPatch) -> list[ResponseOptions]:
    """REDCap's record reader replaced: 4 responses to imh-core's K1 and K2 (2 people, pre and
    post), the options it was given recorded."""
    seen: list[ResponseOptions] = []

    def read(
        sources: Sequence[SourceFile], structure: InstrumentImport, options: ResponseOptions
    ) -> ResponsesImport:
        seen.append(options)
        items = [q.id for q in structure.instrument.questions]
        rows = [
            {"participant": code, "cohort": "TF1", "timepoint": tp, "K1": k1, "K2": "b"}
            for code, tp, k1 in [("AB-1", "pre", "a"), ("AB-1", "post", "c"), ("CD-2", "pre", "c")]
        ] + [{"participant": "CD-2", "cohort": "TF1", "timepoint": "post", "K1": "=1+1"}]
        return ResponsesImport(
            frame=tidy_frame(rows, items),
            origins=tuple((sources[0].name, n) for n in (2, 3, 5, 6)),
            dropped=("email",),
            left_out=(Omission(f"{sources[0].name}, row 4", "incomplete (imh_core_complete 0)"),),
            notes=("the record id was not used as the code",),
        )

    monkeypatch.setattr(convert_module, "_responses_reader", lambda system: read)
    return seen


def test_convert_writes_the_files_and_prints_a_summary(
    tmp_path: Path, records: Path, fake_reader: list[ResponseOptions]
) -> None:
    out = tmp_path / "converted"
    result = runner.invoke(
        app,
        [
            "convert", str(records), "--from", "REDCap", "-i", "imh-core@1.0.0",
            "--events", "pre_arm_1=Pre", "--events", "post_arm_1=after",
            "--code-field", "own_code", "--cohort", " TF1 ", "--out", str(out),
        ],
        terminal_width=200,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert fake_reader == [
        ResponseOptions(
            events={"pre_arm_1": "pre", "post_arm_1": "post"}, code_field="own_code", cohort="TF1"
        )
    ]
    lines = result.output.splitlines()
    assert lines[0] == "Converted 4 responses (2 pre, 2 post) from REDCap: records.csv"
    assert lines[1].startswith("Questionnaire: imh-core 1.0.0, 20 scored questions in 3 domains")
    assert "Identifying columns dropped: email" in lines
    assert "Left out: 1 response (each with its reason in conversion-report.txt)" in lines
    assert "Note: the record id was not used as the code" in lines
    assert f"Next: imheval analyse {out / 'responses.csv'} -i {out / 'instrument.yaml'}" in lines
    assert load_instrument(out / "instrument.yaml") == get_builtin("imh-core", "1.0.0")
    csv_lines = (out / "responses.csv").read_text(encoding="utf-8-sig").splitlines()
    assert csv_lines[0].startswith(
        "participant,cohort,programme,timepoint,directorate,profession,K1"
    )
    assert csv_lines[4].startswith("CD-2,TF1,,post,,,'=1+1,")  # formula-safe
    report = (out / "conversion-report.txt").read_text(encoding="utf-8")
    assert "- records.csv, row 4: incomplete (imh_core_complete 0)" in report
    assert "Files converted: records.csv" in report


def test_what_analyse_would_refuse_is_a_warning_naming_the_original_rows(
    tmp_path: Path,
    records: Path,
    fake_reader: list[ResponseOptions],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    original = convert_module._responses_reader(System.REDCAP)

    def twice(
        sources: Sequence[SourceFile], structure: InstrumentImport, options: ResponseOptions
    ) -> ResponsesImport:
        read = original(sources, structure, options)
        frame = read.frame.copy()
        frame.loc[1, "timepoint"] = "pre"  # AB-1 twice at pre
        return ResponsesImport(frame=frame, origins=read.origins)

    monkeypatch.setattr(convert_module, "_responses_reader", lambda system: twice)
    out = tmp_path / "out"
    result = runner.invoke(
        app, ["convert", str(records), "--from", "redcap", "-i", "imh-core", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "Warning: imheval analyse will refuse responses.csv until" in result.output
    assert "records.csv, row 3" in result.output
    report = (out / "conversion-report.txt").read_text(encoding="utf-8")
    assert "imheval analyse will refuse responses.csv until these are put right" in report


def test_analyse_from_converts_in_memory_and_analyses_as_a_native_file(
    tmp_path: Path, records: Path, fake_reader: list[ResponseOptions]
) -> None:
    out = tmp_path / "e.json"
    result = runner.invoke(
        app,
        [
            "analyse", str(records), "--from", "redcap", "-i", "imh-core@1.0.0", "--json", str(out),
            "--min-group-size", "1",
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Converted 4 responses (2 pre, 2 post) from REDCap: records.csv" in result.output
    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["source"] == "records.csv"
    # the same data in imheval's own layout gives the same evaluation
    native = tmp_path / "native.csv"
    others = "," * (len(get_builtin("imh-core", "1.0.0").items) - 2)
    native.write_text(
        "participant,cohort,timepoint,"
        + ",".join(item.id for item in get_builtin("imh-core", "1.0.0").items)
        + f"\nAB-1,TF1,pre,a,b{others}\nAB-1,TF1,post,c,b{others}\n"
        f"CD-2,TF1,pre,c,b{others}\nCD-2,TF1,post,=1+1,{others}\n",
        encoding="utf-8",
    )
    out2 = tmp_path / "n.json"
    result = runner.invoke(
        app,
        [
            "analyse",
            str(native),
            "-i",
            "imh-core@1.0.0",
            "--json",
            str(out2),
            "--min-group-size",
            "1",
        ],
    )
    assert result.exit_code == 0, result.output
    expected = json.loads(out2.read_text(encoding="utf-8"))
    expected["source"] = "records.csv"
    expected["created"] = document["created"]  # the time it was made
    assert document == expected


def test_analyse_from_problems_name_the_original_file(
    tmp_path: Path, records: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def blank_cohort(
        sources: Sequence[SourceFile], structure: InstrumentImport, options: ResponseOptions
    ) -> ResponsesImport:
        rows = [
            {"participant": "A", "cohort": "TF1", "timepoint": "pre", "K1": "a"},
            {"participant": "A", "cohort": "", "timepoint": "post", "K1": "a"},
        ]
        frame = tidy_frame(rows, [q.id for q in structure.instrument.questions])
        return ResponsesImport(frame=frame, origins=(("records.csv", 2), ("records.csv", 7)))

    monkeypatch.setattr(convert_module, "_responses_reader", lambda system: blank_cohort)
    result = runner.invoke(app, ["analyse", str(records), "--from", "redcap", "-i", "imh-core"])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "Error: records.csv, row 7, column 'cohort': the cohort is empty" in result.output


@pytest.mark.parametrize(
    "args,message",
    [
        (["convert", "x.csv", "--out", "o"], "say which system the files come from with --from"),
        (["convert", "x.csv", "--from", "redcap"], "say where to write the converted files"),
        (["convert", "--from", "redcap", "--out", "o"], "give the exported responses to convert"),
        (
            ["convert", "x.csv", "--from", "msforms", "--out", "o", "--timepoint", "x.csv"],
            "--timepoint 'x.csv': expected FILE=TIMEPOINT, e.g. --timepoint pre.xlsx=pre",
        ),
        (
            ["convert", "x.csv", "--from", "msforms", "--out", "o", "--timepoint", "y.csv=pre"],
            "--timepoint 'y.csv=pre': 'y.csv' is not one of the files to convert (x.csv)",
        ),
        (
            ["convert", "x.csv", "--from", "msforms", "--out", "o", "--timepoint", "x.csv=mid"],
            "--timepoint 'x.csv=mid': 'mid' is not a timepoint; use pre, post or followup",
        ),
        (
            ["convert", "x.csv", "--from", "redcap", "--out", "o", "--events", "nowhere.csv"],
            "--events 'nowhere.csv': expected EVENT=TIMEPOINT (e.g. pre_arm_1=pre) or a CSV file",
        ),
        (
            ["convert", "x.csv", "--from", "redcap", "--out", "o", "--key", "k7"],
            "--key 'k7': expected FIELD=CODE, e.g. --key k7=2",
        ),
        (
            ["analyse", "x.csv", "--structure", "d.csv", "--cohort", "TF1"],
            "--structure, --cohort are for another system's export: say which with --from",
        ),
        (["analyse", "x.csv", "y.csv"], "give one DATA file (several files are read only with"),
        (["analyse", "--demo", "--from", "redcap"], "--demo is imheval's own data"),
        (
            ["analyse", "x.csv", "--from", "redcap", "-i", "imh-core", "-i", "imh-core"],
            "with --from, give one instrument (-i)",
        ),
        (["analyse", "--from", "fhir"], "give the FHIR export(s) to analyse"),
    ],
)
def test_option_mistakes_are_one_clear_line(
    args: list[str], message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, args, terminal_width=300)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert f"Error: {message}" in result.output


def test_a_file_of_another_system_names_the_system_to_choose(tmp_path: Path) -> None:
    lss = tmp_path / "survey.csv"
    lss.write_text("id,submitdate,lastpage,startlanguage,K1\n1,2025-01-01,2,en,A1\n")
    result = runner.invoke(
        app, ["convert", str(lss), "--from", "redcap", "-i", "imh-core", "--out", str(tmp_path)]
    )
    assert result.exit_code == 1
    assert (
        "Error: survey.csv: this looks like a LimeSurvey response export, not a REDCap export: "
        "choose LimeSurvey (--from limesurvey)"
    ) in result.output
    assert not (tmp_path / "responses.csv").exists()


def test_a_missing_source_is_named(tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        ["convert", str(tmp_path / "gone.csv"), "--from", "redcap", "--out", str(tmp_path / "o")],
    )
    assert result.exit_code == 1
    assert "gone.csv: there is no such file" in result.output
    assert not (tmp_path / "o").exists()


def test_reading_options_are_parsed_and_checked(tmp_path: Path) -> None:
    mapping = tmp_path / "events.csv"
    parsed = reading_options(
        [Path("exports/Before.xlsx"), Path("exports/after.xlsx")],
        System.MSFORMS,
        None,
        ["before.XLSX=baseline", "exports/after.xlsx=Follow-up"],
        ["Survey 1 = Pre"],
        " ",
        "group",
        None,
        "When",
        ["Q3=2", "Q3=Sometimes", "Q9=b"],
        True,
    )
    assert parsed.options == ResponseOptions(
        timepoints={"Before.xlsx": "pre", "after.xlsx": "followup"},
        events={"Survey 1": "pre"},
        code_field=None,
        cohort_field="group",
        timepoint_field="When",
        keep_incomplete=True,
    )
    assert parsed.keys == {"Q3": ["2", "Sometimes"], "Q9": ["b"]}
    with pytest.raises(OptionError, match="'middle' is not a timepoint"):
        reading_options(
            [], System.REDCAP, None, [], ["e1=middle"], None, None, None, None, [], False
        )
    assert not mapping.exists()


def test_instruments_export_to_forms_is_not_offered() -> None:
    result = runner.invoke(app, ["instruments", "export", "imh-core", "--to", "msforms"])
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_an_events_file_maps_events_to_timepoints(
    tmp_path: Path, records: Path, fake_reader: list[ResponseOptions]
) -> None:
    mapping = tmp_path / "events.csv"
    mapping.write_text("event,timepoint\nbaseline_arm_1,Pre\nweek_6_arm_1,post\n")
    result = runner.invoke(
        app,
        [
            "convert", str(records), "--from", "redcap", "-i", "imh-core@1.0.0",
            "--events", str(mapping), "--events", "week_12_arm_1=follow-up",
            "--out", str(tmp_path / "out"),
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert fake_reader[0].events == {
        "baseline_arm_1": "pre",
        "week_6_arm_1": "post",
        "week_12_arm_1": "followup",
    }


def test_a_bad_events_file_is_named_with_its_row(tmp_path: Path, records: Path) -> None:
    mapping = tmp_path / "events.csv"
    mapping.write_text("event,timepoint\nbaseline_arm_1,middle\n")
    result = runner.invoke(
        app,
        [
            "convert", str(records), "--from", "redcap", "-i", "imh-core",
            "--events", str(mapping), "--out", str(tmp_path / "out"),
        ],
    )  # fmt: skip
    assert result.exit_code == 1
    assert "events.csv, row 2, column 'timepoint': 'middle' is not a timepoint" in result.output


@pytest.mark.parametrize(
    "target,filename,system",
    [
        ("redcap", "imh-core-redcap-dictionary.csv", System.REDCAP),
        ("limesurvey", "imh-core.lss", System.LIMESURVEY),
        ("fhir", "imh-core-questionnaire.json", System.FHIR),
        ("redcap-zip", "imh-core-redcap-instrument.zip", System.REDCAP),
    ],
)
def test_instruments_export_writes_a_file_that_reads_back_as_the_instrument(
    target: str, filename: str, system: System, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from imheval.interop.convert import read_structure

    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["instruments", "export", "imh-core@1.0.0", "--to", target])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"Wrote imh-core 1.0.0 to {filename}"
    back = read_structure(system, SourceFile.read(tmp_path / filename)).instrument
    original = get_builtin("imh-core", "1.0.0")
    assert [q.id for q in back.questions] == [q.id for q in original.questions]
    assert [d.id for d in back.domains] == [d.id for d in original.domains]


def test_instruments_export_into_a_folder_or_a_named_file(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["instruments", "export", "imh-core", "--to", "FHIR", "--out", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    document = json.loads((tmp_path / "imh-core-questionnaire.json").read_text(encoding="utf-8"))
    assert document["resourceType"] == "Questionnaire"
    named = tmp_path / "deeper" / "q.json"
    result = runner.invoke(
        app, ["instruments", "export", "imh-core", "--to", "fhir", "--out", str(named)]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(named.read_text(encoding="utf-8"))["id"] == "imh-core"


def test_instruments_export_of_an_unknown_instrument_is_a_clean_error() -> None:
    result = runner.invoke(app, ["instruments", "export", "no-such-thing", "--to", "redcap"])
    assert result.exit_code == 1
    assert "no-such-thing" in result.output and "Traceback" not in result.output


def test_a_key_given_for_a_redcap_question_scores_it_and_carries_its_answers(
    tmp_path: Path,
) -> None:
    from tests.shared_fixtures import shared_fixture

    out = tmp_path / "out"
    result = runner.invoke(
        app,
        [
            "convert", str(shared_fixture("interop", "redcap_records_flat_raw.csv")),
            "--from", "redcap",
            "--structure", str(shared_fixture("interop", "redcap_data_dictionary.csv")),
            "--key", "roles___2=1", "--cohort-field", "redcap_data_access_group",
            "--out", str(out),
        ],
        terminal_width=200,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert (
        "Without an answer key, so left out: roles___1, roles___3, roles___4 "
        "(give each with --key FIELD=CODE)"
    ) in result.output
    instrument = load_instrument(out / "instrument.yaml")
    assert [q.id for q in instrument.questions] == ["k1", "se1", "se2", "roles___2"]
    assert instrument.questions[3].key == ("1",)  # type: ignore[union-attr]
    lines = (out / "responses.csv").read_text(encoding="utf-8-sig").splitlines()
    assert (
        lines[0]
        == "participant,cohort,programme,timepoint,directorate,profession,k1,se1,se2,roles___2"
    )
    assert lines[1:] == [
        "M0367,trust_north,,pre,,,2,3,2,0",
        "M0367,trust_north,,post,,,1,4,4,0",
        "K1122,trust_north,,pre,,,1,2,3,1",
    ]
    report = (out / "conversion-report.txt").read_text(encoding="utf-8")
    assert "--key roles___2=CODE" not in report and "--key roles___3=CODE" in report


def test_a_key_for_an_inferred_forms_quiz_question(tmp_path: Path) -> None:
    quiz = tmp_path / "quiz.csv"
    quiz.write_text(
        "ID,Start time,Completion time,Email,Name,Total points,Quiz feedback,"
        "Your self-generated code,Which is right?,Points - Which is right?,"
        "Feedback - Which is right?,Is this a risk?\n"
        "1,3/4/25 9:12:40,3/4/25 9:16:02,anonymous,,1,,AB-1,Apple,1,,Yes\n"
        "2,3/4/25 9:13:40,3/4/25 9:17:02,anonymous,,0,,CD-2,Pear,0,,No\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    result = runner.invoke(
        app,
        [
            "convert", str(quiz), "--from", "msforms", "--timepoint", "quiz.csv=pre",
            "--key", "Is this a risk?=Yes", "--cohort", "Pilot", "--out", str(out),
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    instrument = load_instrument(out / "instrument.yaml")
    keyed = {q.text: (q.options, q.key) for q in instrument.items}  # type: ignore[union-attr]
    assert keyed == {
        "Which is right?": ({"a": "Apple", "b": "Pear"}, ("a",)),
        "Is this a risk?": ({"a": "No", "b": "Yes"}, ("b",)),
    }
    lines = (out / "responses.csv").read_text(encoding="utf-8-sig").splitlines()
    assert lines[1:] == ["AB-1,Pilot,,pre,,,a,b", "CD-2,Pilot,,pre,,,b,a"]


def test_convert_with_no_export_converts_the_questionnaire_alone(tmp_path: Path) -> None:
    from tests.shared_fixtures import shared_fixture

    dictionary = shared_fixture("interop", "redcap_data_dictionary.csv")
    out = tmp_path / "out"
    result = runner.invoke(
        app, ["convert", "--from", "redcap", "--structure", str(dictionary), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["conversion-report.txt", "instrument.yaml"]
    assert [q.id for q in load_instrument(out / "instrument.yaml").questions] == [
        "k1",
        "se1",
        "se2",
    ]
    report = (out / "conversion-report.txt").read_text(encoding="utf-8")
    assert "Questions read from: redcap_data_dictionary.csv" in report
    assert "Questions without an answer key (left out until you give their key): 4" in report
    assert "Responses (responses.csv)" not in report
