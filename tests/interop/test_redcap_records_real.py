"""Every real REDCap record export in ../shared/fixtures/interop/real/redcap/ (and the shared
example export), read with its own data dictionary through helper A's read_dictionary: each is
either read (real values asserted) or refused with the message that says what to give.

Most of these projects are clinical test projects: none has a self-generated code, and most
score nothing, so their choice questions are keyed with ``keys`` (as ``--key`` would) and the
record id is named as the code (as ``--code-field`` would) where a file has no events.
redcaptidier_trial_records.csv comes without a dictionary: imheval cannot read responses
without the questionnaire (the command line refuses, asking for --structure), so it is read
here with a structure built by hand for two of its physical-exam fields.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pytest
from tests.shared_fixtures import shared_fixture

from imheval.errors import DataFormatError
from imheval.instruments import Instrument
from imheval.interop.model import (
    AnswerMap,
    InstrumentImport,
    ResponseOptions,
    ResponsesImport,
    SourceFile,
    System,
)
from imheval.interop.redcap.dictionary import read_dictionary
from imheval.interop.redcap.records import read_event_mapping, read_records


def real(name: str) -> SourceFile:
    return SourceFile.read(shared_fixture("interop", "real", "redcap", name))


def structure(name: str, keys: Mapping[str, Sequence[str]] | None = None) -> InstrumentImport:
    return read_dictionary(real(name), keys=keys)


def values(result: ResponsesImport, columns: list[str]) -> list[list[str]]:
    return result.frame[["participant", "timepoint", *columns]].values.tolist()


def rows_of(result: ResponsesImport) -> list[int]:
    return [row for _, row in result.origins]


def problems(error: pytest.ExceptionInfo[DataFormatError]) -> list[str]:
    return [str(problem) for problem in error.value.problems]


def test_the_shared_example_export_with_its_dictionary_and_event_mapping() -> None:
    dictionary = SourceFile.read(shared_fixture("interop", "redcap_data_dictionary.csv"))
    imported = read_dictionary(dictionary, keys={"roles___3": ["1"]})
    events = read_event_mapping(
        SourceFile.read(shared_fixture("interop", "redcap_instrument_event_mapping.csv"))
    )
    result = read_records(
        [SourceFile.read(shared_fixture("interop", "redcap_records_flat_raw.csv"))],
        imported,
        ResponseOptions(events=events),
    )
    assert values(result, ["k1", "se1", "se2", "roles___3"]) == [
        ["M0367", "pre", "2", "3", "2", "0"],
        ["M0367", "post", "1", "4", "4", "0"],
        ["K1122", "pre", "1", "2", "3", "0"],
    ]
    assert rows_of(result) == [2, 3, 4]
    assert result.dropped == ("record_id", "redcap_survey_identifier")
    assert result.complete == (True, True, True)
    # Record 2's post row: nothing answered, every box unticked (the form was never filled in).
    assert any(
        "row 5 answers none of the instrument's questions (events: post_arm_1)" in note
        for note in result.notes
    )
    ignored = next(note for note in result.notes if "were ignored" in note)
    assert ignored.endswith("ignored: k_total")  # roles___1, 2, 4 are known (unkeyed)


def test_redcapr_longitudinal_needs_its_events_and_links_them_by_record_id() -> None:
    # The morale questions are keyed (the dictionary scores nothing): answers are their codes.
    keys = {name: ["0"] for name in ("pmq1", "pmq2", "pmq4", "cpq10", "cpq11", "cpq13")}
    imported = structure("redcapr_longitudinal_dictionary.csv", keys)
    export = real("redcapr_longitudinal_records.csv")
    with pytest.raises(DataFormatError) as error:
        read_records([export], imported, ResponseOptions())
    assert problems(error) == [
        "redcapr_longitudinal_records.csv: no event's name says its timepoint (events: "
        "enrollment_arm_1, dose_1_arm_1, visit_1_arm_1, dose_2_arm_1, visit_2_arm_1, "
        "final_visit_arm_1 and 4 more); give each event's timepoint with --events "
        "EVENT=TIMEPOINT, e.g. --events enrollment_arm_1=pre, or a mapping file"
    ]
    result = read_records(
        [export],
        imported,
        ResponseOptions(
            events={
                "enrollment_arm_1": "pre",
                "dose_1_arm_1": "post",
                "final_visit_arm_1": "followup",
            }
        ),
    )
    assert values(result, ["age", "pmq1", "pmq2", "pmq4", "cpq10", "cpq11", "cpq13"]) == [
        ["100", "pre", "31", "", "", "", "", "", ""],
        ["100", "post", "", "2", "2", "1", "", "", ""],
        ["100", "followup", "", "", "", "", "1", "3", "2"],
        ["220", "pre", "4", "", "", "", "", "", ""],
        ["220", "post", "", "0", "1", "2", "", "", ""],
        ["220", "followup", "", "", "", "", "1", "5", "0"],
    ]
    assert rows_of(result) == [2, 3, 7, 8, 9, 13]
    # Decimals written ".34" and 800-character comments are kept as written.
    assert len(result.frame["comments"][0]) == 839
    assert result.dropped == (
        "first_name",
        "last_name",
        "telephone_1",
        "email",
        "dob",
        "ec_phone",
        "next_of_kin_contact_name",
        "next_of_kin_contact_address",
        "next_of_kin_contact_phone",
    )
    assert "study_id" not in result.dropped
    assert len(result.left_out) == 10
    assert str(result.left_out[0]) == (
        "redcapr_longitudinal_records.csv, row 4: event 'visit_1_arm_1' is not mapped to a "
        "timepoint, so this response was left out; to include it, give --events "
        "visit_1_arm_1=pre (or post, followup)"
    )
    notes = "\n".join(result.notes)
    assert "the record id ('study_id') links each record's events" in notes
    assert "rows 15 and 19 answer none of the instrument's questions" in notes
    frame = result.frame.to_csv()
    for secret in ("Zharko", "Lenox", "zlehnox@gmail.com", "555-1212", "1983-09-23"):
        assert secret not in frame


def test_redcapr_survey_without_a_code_or_timepoint_is_refused_then_read() -> None:
    imported = structure("redcapr_survey_dictionary.csv", keys={"has_diabetes": ["1"]})
    export = real("redcapr_survey_records.csv")
    with pytest.raises(DataFormatError) as error:
        read_records([export], imported, ResponseOptions())
    assert problems(error) == [
        "redcapr_survey_records.csv: there is no timepoint: the export has no events "
        "(redcap_event_name) and no timepoint field; say which timepoint this file holds with "
        "--timepoint redcapr_survey_records.csv=pre (or post, followup)",
        "redcapr_survey_records.csv: no column holds the self-generated code (no field's name "
        "contains 'code'); name it with --code-field NAME (no other column holds text)",
    ]
    result = read_records(
        [export],
        imported,
        ResponseOptions(
            timepoints={"redcapr_survey_records.csv": "pre"}, code_field="participant_id"
        ),
    )
    assert values(result, ["has_diabetes"]) == [["1", "pre", "1"], ["2", "pre", "0"]]
    assert result.dropped == (
        "dob",
        "email",
        "first_name",
        "last_name",
        "address",
        "telephone_1",
        "redcap_survey_identifier",
    )
    assert any(
        "survey timestamps were not carried: prescreening_survey_timestamp, "
        "participant_info_survey_timestamp, participant_morale_questionnaire_timestamp" in n
        for n in result.notes
    )
    assert "aaa@bbb.com" not in result.frame.to_csv()


def test_redcapr_repeating_leaves_the_other_forms_instances_out() -> None:
    imported = structure("redcapr_repeating_dictionary.csv", keys={"sex": ["1"]})
    result = read_records(
        [real("redcapr_repeating_records.csv")],
        imported,
        ResponseOptions(
            timepoints={"redcapr_repeating_records.csv": "post"}, code_field="record_id"
        ),
    )
    assert values(result, ["age", "sex"]) == [["1", "post", "8.9", "0"], ["2", "post", "9.6", "1"]]
    assert rows_of(result) == [2, 6]
    assert result.dropped == ("first_name", "dob")
    assert any(
        "rows 3, 4, 5 and 7 are repeat instances of the form 'bp', which holds none of the "
        "instrument's questions; left out" in note
        for note in result.notes
    )


def test_redcapr_checkboxes_letter_codes_and_incomplete_forms() -> None:
    imported = structure(
        "redcapr_checkboxes_dictionary.csv", keys={"check_one___1": ["1"], "check_two___a": ["1"]}
    )
    export = real("redcapr_checkboxes_records.csv")
    options = ResponseOptions(
        timepoints={"redcapr_checkboxes_records.csv": "pre"}, code_field="record_id"
    )
    result = read_records([export], imported, options)
    assert values(result, ["check_one___1", "check_two___a"]) == [
        ["1", "pre", "1", "1"],
        ["3", "pre", "1", "0"],
    ]
    assert [str(o) for o in result.left_out] == [
        "redcapr_checkboxes_records.csv, row 3: the form is marked Incomplete (form_2_complete "
        "= 0), so this response was left out; keep incomplete responses (--keep-incomplete) to "
        "include it"
    ]
    kept = read_records(
        [export],
        imported,
        ResponseOptions(
            timepoints=options.timepoints, code_field="record_id", keep_incomplete=True
        ),
    )
    assert values(kept, ["check_one___1", "check_two___a"])[1] == ["2", "pre", "0", "0"]
    assert kept.complete == (True, False, True)
    assert kept.frame["desired_result"][1].startswith("Should have data only for the second")
    # Record 4 ticked nothing and wrote nothing: not a response.
    assert any("row 5 answers none of the instrument's questions" in n for n in kept.notes)


def test_redcapr_validation_types_holds_no_answer() -> None:
    imported = structure("redcapr_validation_types_dictionary.csv")
    result = read_records(
        [real("redcapr_validation_types_records.csv")],
        imported,
        ResponseOptions(
            timepoints={"redcapr_validation_types_records.csv": "pre"}, code_field="record_id"
        ),
    )
    assert len(result.frame) == 0
    assert list(result.frame.columns)[6:] == [
        "f_dropdown",
        "f_notes",
        "f_radio",
        "f_text",
        "v_alpha_only",
    ]
    assert "v_email" in result.dropped and "v_ssn" in result.dropped
    assert "row 2 answers none of the instrument's questions" in "\n".join(result.notes)
    assert result.notes[-1] == "no response was kept: see the rows left out"


def test_redcapapi_records_every_form_incomplete() -> None:
    imported = structure(
        "redcapapi_dictionary.csv",
        keys={
            "radio_test": ["a"],
            "dropdown_test": ["2"],
            "checkbox_test___x": ["1"],
            "yesno_test": ["1"],
        },
    )
    export = real("redcapapi_records.csv")
    with pytest.raises(DataFormatError, match="no event's name says its timepoint"):
        read_records([export], imported, ResponseOptions())
    options = ResponseOptions(events={"event_1_arm_1": "pre"}, code_field="record_id")
    result = read_records([export], imported, options)
    assert len(result.frame) == 0
    assert len(result.left_out) == 20
    assert str(result.left_out[1]) == (
        "redcapapi_records.csv, row 4: the form is marked Incomplete (text_fields_complete = 0), "
        "so this response was left out; keep incomplete responses (--keep-incomplete) to "
        "include it"
    )
    kept = read_records(
        [export],
        imported,
        ResponseOptions(events=options.events, code_field="record_id", keep_incomplete=True),
    )
    columns = ["letters_only_test", "checkbox_test___x", "dropdown_test", "radio_test"]
    assert values(kept, [*columns, "yesno_test", "notes_test"])[:3] == [
        ["1", "pre", "", "", "", "", "", "some notes"],
        ["2", "pre", "Duis", "0", "2", "a", "1", ""],
        ["3", "pre", "qui", "0", "3", "a", "0", ""],
    ]
    assert rows_of(kept)[:4] == [3, 4, 6, 8]
    assert len(kept.frame) == 20
    assert kept.complete == (False,) * 20
    assert kept.dropped == ("email_test", "phone_test", "zipcode_test")
    assert "dolor@Duis.net" not in kept.frame.to_csv()


def test_rsvc_excel_saved_longitudinal_repeating_export() -> None:
    imported = structure(
        "rsvc_dictionary_excel_saved_crlf.csv",
        keys={"radio": ["100"], "checkbox___1": ["1"], "multiple_radio_auto": ["1"]},
    )
    export = real("rsvc_records_longitudinal_repeating_excel_dates_crlf.csv")
    events = {"event_1_arm_1": "pre", "event_2_arm_1": "post"}
    with pytest.raises(DataFormatError) as error:
        read_records([export], imported, ResponseOptions(events=events))
    assert problems(error) == [
        "rsvc_records_longitudinal_repeating_excel_dates_crlf.csv: no column holds the "
        "self-generated code (no field's name contains 'code'); name it with --code-field NAME "
        "(no other column holds text)"
    ]
    result = read_records(
        [export], imported, ResponseOptions(events=events, code_field="record_id")
    )
    assert values(result, ["multiple_radio_auto", "checkbox___1", "textbox", "edit_field"]) == [
        ["3", "pre", "1", "1", "text box", "Edit Field"],
        ["3", "pre", "1", "1", "text box", "Edit Field"],
        ["4", "pre", "1", "1", "text box", "Edit Field"],
    ]
    assert rows_of(result) == [11, 12, 14]
    for name in ("name", "email", "identifier", "ssn", "name_survey", "email_consent", "dob"):
        assert name in result.dropped
    assert len(result.left_out) == 5
    assert [o.where.rsplit(", ", 1)[1] for o in result.left_out] == [
        "row 4",
        "row 8",
        "row 9",
        "row 15",
        "row 16",
    ]
    assert "marked Unverified (data_types_complete = 1)" in result.left_out[3].message
    assert "email@test.edu" not in result.frame.to_csv()
    assert any("8 response(s) are repeat instances" in note for note in result.notes)


def _trial_structure() -> InstrumentImport:
    instrument = Instrument.model_validate(
        {
            "format": "imheval-instrument/1",
            "id": "physical_exam",
            "version": "1.0.0",
            "title": "Physical exam",
            "levels": ["beginner", "intermediate", "advanced"],
            "domains": [{"id": "physical_exam", "label": "Physical exam"}],
            "scales": {"performance": {"min": 0, "max": 4}},
            "items": [
                {
                    "kind": "keyed",
                    "id": "physical_performed",
                    "domain": "physical_exam",
                    "text": "Physical exam performed?",
                    "options": {"0": "No", "1": "Yes"},
                    "key": ["1"],
                },
                {
                    "kind": "rating",
                    "id": "physical_performance_scale",
                    "domain": "physical_exam",
                    "text": "Performance scale",
                    "scale": "performance",
                },
            ],
        }
    )
    return InstrumentImport(
        instrument=instrument,
        system=System.REDCAP,
        answers=(
            AnswerMap(
                item="physical_performed",
                source="physical_performed",
                codes={"0": "0", "1": "1", "No": "0", "Yes": "1"},
            ),
            AnswerMap(
                item="physical_performance_scale",
                source="physical_performance_scale",
                codes={str(v): str(v) for v in range(5)},
            ),
        ),
        identifying=("demo_mrn", "demo_last_name", "demo_first_name", "demo_birth_date"),
    )


def test_redcaptidier_trial_has_no_dictionary_and_is_read_with_a_structure_given() -> None:
    export = real("redcaptidier_trial_records.csv")
    with pytest.raises(DataFormatError) as error:
        read_records([export], _trial_structure(), ResponseOptions())
    # Two fields have "code" in their name (MedDRA adverse-event codes): which is meant?
    assert problems(error) == [
        "redcaptidier_trial_records.csv: 2 columns could hold the self-generated code "
        "(adverse_event_meddra_ae_code, adverse_event_meddra_ae_code_specify); say which with "
        "--code-field NAME"
    ]
    with pytest.raises(DataFormatError) as error:
        read_records([export], _trial_structure(), ResponseOptions(code_field="subject_id"))
    assert problems(error)[0].startswith(
        "redcaptidier_trial_records.csv: no event's name says its timepoint (events: "
        "screening__enrollm_arm_1, unscheduled_arm_1)"
    )
    result = read_records(
        [export],
        _trial_structure(),
        ResponseOptions(
            events={"screening__enrollm_arm_1": "pre", "unscheduled": "post"},
            code_field="subject_id",
        ),
    )
    assert values(result, ["physical_performed", "physical_performance_scale"]) == [
        ["001-123-001", "pre", "1", "1"],
        ["001-123-001", "post", "1", "1"],
        ["001-123-001", "post", "1", "1"],
        ["001-123-002", "pre", "1", "1"],
        ["001-123-003", "pre", "1", "2"],
    ]
    assert rows_of(result) == [2, 8, 9, 13, 20]
    assert result.dropped == ("demo_mrn", "demo_last_name", "demo_first_name", "demo_birth_date")
    notes = "\n".join(result.notes)
    assert "the record id ('subject_id') is the participant code, as asked" in notes
    assert "2 response(s) are repeat instances" in notes
    assert "are repeat instances of the form 'medical_history'" in notes
    frame = result.frame.to_csv()
    for secret in ("Maximilian", "French", "12345678", "1983-11-02"):
        assert secret not in frame
