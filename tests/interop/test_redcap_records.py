"""REDCap flat record exports in (imheval.interop.redcap.records), with hand-built structures.

The structures are those helper A's dictionary reader builds from the shared dictionary
(tests/interop/redcap_rec_build.py); the exports are the shared fixture and the small files in
tests/interop/data/redcap_rec/.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.interop.redcap_rec_build import csv_source, knowledge_structure
from tests.shared_fixtures import shared_fixture

from imheval.errors import DataFormatError
from imheval.interop.model import ResponseOptions, ResponsesImport, SourceFile
from imheval.interop.redcap.records import read_event_mapping, read_records

DATA = Path(__file__).parent / "data" / "redcap_rec"
ITEMS = ["k1", "se1", "se2", "roles"]


def local(name: str) -> SourceFile:
    return SourceFile.read(DATA / name)


def shared(*parts: str) -> SourceFile:
    return SourceFile.read(shared_fixture("interop", *parts))


def rows(result: ResponsesImport, columns: list[str] | None = None) -> list[list[str]]:
    wanted = columns or ["participant", "timepoint", *ITEMS]
    return result.frame[wanted].values.tolist()


def problems_of(error: pytest.ExceptionInfo[DataFormatError]) -> list[str]:
    return [str(problem) for problem in error.value.problems]


# --- the shared fixture: one record with events ------------------------------------------


def test_shared_export_with_the_instrument_event_mapping_reads_three_responses() -> None:
    events = read_event_mapping(shared("redcap_instrument_event_mapping.csv"))
    assert events == {"pre_arm_1": "pre", "post_arm_1": "post", "followup_3m_arm_1": "followup"}
    result = read_records(
        [shared("redcap_records_flat_raw.csv")],
        knowledge_structure(),
        ResponseOptions(events=events),
    )
    assert list(result.frame.columns) == [
        "participant",
        "cohort",
        "programme",
        "timepoint",
        "directorate",
        "profession",
        *ITEMS,
    ]
    assert rows(result) == [
        ["M0367", "pre", "2", "3", "2", "1"],
        ["M0367", "post", "1", "4", "4", "1"],
        ["K1122", "pre", "1", "2", "3", "2"],
    ]
    assert result.frame["cohort"].tolist() == ["", "", ""]
    assert result.origins == (
        ("redcap_records_flat_raw.csv", 2),
        ("redcap_records_flat_raw.csv", 3),
        ("redcap_records_flat_raw.csv", 4),
    )
    assert result.complete == (True, True, True)
    assert result.dropped == ("record_id", "redcap_survey_identifier")
    assert result.left_out == ()
    notes = "\n".join(result.notes)
    # Record 2's post row has nothing answered (its form was never filled in): a note.
    assert "redcap_records_flat_raw.csv: row 5 answers none of the instrument's questions" in notes
    assert "(events: post_arm_1)" in notes
    assert "data access group" in notes
    assert "--cohort-field redcap_data_access_group" in notes
    assert "survey timestamps were not carried: imh_knowledge_timestamp" in notes
    assert "1 column(s) are not questions of the instrument and were ignored: k_total" in notes
    assert "with no row in this export: followup_3m_arm_1" in notes
    # Identifying values never reach the frame or the notes.
    assert "trust_north" not in result.frame.to_csv()


def test_shared_export_without_a_mapping_reads_timepoints_from_event_names() -> None:
    result = read_records(
        [shared("redcap_records_flat_raw.csv")], knowledge_structure(), ResponseOptions()
    )
    assert rows(result)[2] == ["K1122", "pre", "1", "2", "3", "2"]
    assert [tp for tp in result.frame["timepoint"]] == ["pre", "post", "pre"]
    assert any(
        "timepoints were read from the event names (pre_arm_1 → pre, post_arm_1 → post)" in n
        for n in result.notes
    )


def test_an_event_mapped_to_nothing_leaves_its_rows_out_with_the_reason() -> None:
    result = read_records(
        [shared("redcap_records_flat_raw.csv")],
        knowledge_structure(),
        ResponseOptions(events={"PRE_ARM_1": "Pre"}),
    )
    assert rows(result) == [
        ["M0367", "pre", "2", "3", "2", "1"],
        ["K1122", "pre", "1", "2", "3", "2"],
    ]
    assert [str(o) for o in result.left_out] == [
        "redcap_records_flat_raw.csv, row 3: event 'post_arm_1' is not mapped to a timepoint, "
        "so this response was left out; to include it, give --events post_arm_1=pre (or post, "
        "followup)"
    ]


def test_no_event_mapping_to_a_timepoint_is_refused_listing_the_events() -> None:
    export = csv_source(
        "visits.csv",
        [
            "record_id,redcap_event_name,own_code,k1,se1,se2,imh_knowledge_complete",
            "1,visit_1_arm_1,AB12,1,2,3,2",
            "1,visit_2_arm_1,AB12,1,2,3,2",
        ],
    )
    with pytest.raises(DataFormatError) as error:
        read_records([export], knowledge_structure(roles=False), ResponseOptions())
    assert problems_of(error) == [
        "visits.csv: no event's name says its timepoint (events: visit_1_arm_1, visit_2_arm_1); "
        "give each event's timepoint with --events EVENT=TIMEPOINT, e.g. --events "
        "visit_1_arm_1=pre, or a mapping file"
    ]
    with pytest.raises(DataFormatError) as error:
        read_records(
            [export], knowledge_structure(roles=False), ResponseOptions(events={"v1": "pre"})
        )
    assert "none of the events given with --events (v1) is in this export" in problems_of(error)[0]


def test_events_given_with_the_arm_left_off_match_every_arm() -> None:
    export = csv_source(
        "arms.csv",
        [
            "record_id,redcap_event_name,own_code,k1,se1,se2",
            "1,visit_1_arm_1,AB12,1,2,3",
            "2,visit_1_arm_2,CD34,2,2,3",
            "1,visit_2_arm_1,AB12,3,4,5",
        ],
    )
    result = read_records(
        [export],
        knowledge_structure(roles=False),
        ResponseOptions(events={"visit_1": "pre", "Visit_2": "post"}),
    )
    assert rows(result, ["participant", "timepoint", "k1"]) == [
        ["AB12", "pre", "1"],
        ["CD34", "pre", "2"],
        ["AB12", "post", "3"],
    ]
    # No status column: completeness unknown, the rows kept.
    assert result.complete == (None, None, None)


# --- labels ---------------------------------------------------------------------------------


def test_a_labels_export_gives_the_same_responses_as_the_raw_one() -> None:
    result = read_records(
        [local("knowledge_labels.csv")],
        knowledge_structure(),
        ResponseOptions(events={"Pre": "pre", "post": "post", "Follow-up 3 months": "followup"}),
    )
    assert rows(result) == [
        ["M0367", "pre", "2", "3", "2", "1"],
        ["M0367", "post", "1", "4", "4", "1"],
        ["K1122", "pre", "1", "2", "3", "2"],
    ]
    assert result.dropped == ("Record ID", "Survey Identifier")
    assert [str(o) for o in result.left_out] == [
        "knowledge_labels.csv, row 6: the form is marked Unverified (Complete? = Unverified), "
        "so this response was left out; keep incomplete responses (--keep-incomplete) to "
        "include it"
    ]
    notes = "\n".join(result.notes)
    assert "headed by field labels, so questions were found by their text" in notes
    assert "knowledge_labels.csv: row 5 answers none of the instrument's questions" in notes


def test_a_labels_export_kept_incomplete_records_the_flag_and_ticks_two_boxes() -> None:
    result = read_records(
        [local("knowledge_labels.csv")],
        knowledge_structure(),
        ResponseOptions(keep_incomplete=True),
    )
    # Event labels are guessed from their first word: Pre, Post, Follow-up.
    assert rows(result)[-1] == ["K1122", "followup", "1", "5", "4", "2;3"]
    assert result.complete == (True, True, True, False)
    assert any(
        "question 'roles' (checkbox 'roles') has more than one box ticked in row 6" in note
        for note in result.notes
    )


def test_raw_headers_with_label_values_are_read_through_the_labels() -> None:
    export = csv_source(
        "raw_headers_labels.csv",
        [
            "record_id,redcap_event_name,own_code,k1,se1,se2,roles___1,roles___2,roles___3,"
            "roles___4,imh_knowledge_complete",
            "1,pre_arm_1,AB12,age 3 TO 5,Strongly agree,Agree,Unchecked,Unchecked,Checked,"
            "Unchecked,Complete",
            "1,post_arm_1,AB12,Conception to age 3,Neither,Disagree,Checked,Unchecked,Unchecked,"
            "Unchecked,Incomplete",
        ],
    )
    result = read_records([export], knowledge_structure(), ResponseOptions(keep_incomplete=True))
    assert rows(result) == [
        ["AB12", "pre", "2", "5", "4", "3"],
        ["AB12", "post", "1", "3", "2", "1"],
    ]
    assert result.complete == (True, False)


# --- two anonymous surveys, one file per timepoint ---------------------------------------------


def test_two_anonymous_surveys_are_linked_by_the_code_not_the_record_id() -> None:
    result = read_records(
        [local("knowledge_pre.csv"), local("knowledge_post.csv")],
        knowledge_structure(),
        ResponseOptions(
            timepoints={"knowledge_pre.csv": "pre", "KNOWLEDGE_POST.CSV": "Post"}, cohort="TF1"
        ),
    )
    assert rows(result, ["participant", "cohort", "timepoint", *ITEMS]) == [
        ["M0367", "TF1", "pre", "2", "3", "2", "1"],
        ["K1122", "TF1", "pre", "1", "2", "3", "2"],
        ["T9001", "TF1", "pre", "3", "1", "1", "3"],
        ["K1122", "TF1", "post", "1", "5", "4", "2"],
        ["M0367", "TF1", "post", "1", "4", "4", "1"],
    ]
    assert result.origins[3:] == (("knowledge_post.csv", 2), ("knowledge_post.csv", 3))
    assert result.dropped == ("record_id",)
    assert [str(o) for o in result.left_out] == [
        "knowledge_post.csv, row 4: no self-generated code (column 'own_code' is blank), so "
        "this response cannot be matched and was left out"
    ]


def test_a_file_with_no_events_and_no_timepoint_is_refused_saying_how_to_give_it() -> None:
    with pytest.raises(DataFormatError) as error:
        read_records(
            [local("knowledge_pre.csv"), local("knowledge_post.csv")],
            knowledge_structure(),
            ResponseOptions(timepoints={"knowledge_pre.csv": "pre"}),
        )
    assert problems_of(error) == [
        "knowledge_post.csv: there is no timepoint: the export has no events "
        "(redcap_event_name) and no timepoint field; say which timepoint this file holds with "
        "--timepoint knowledge_post.csv=pre (or post, followup)"
    ]


def test_a_timepoint_question_gives_each_rows_timepoint() -> None:
    export = csv_source(
        "tp.csv",
        [
            "record_id,own_code,when,k1,se1,se2",
            "1,AB12,Before,1,2,3",
            "2,AB12,After,2,3,4",
            "3,CD34,2,3,3,3",
            "4,CD34,9,3,3,3",
        ],
    )
    result = read_records(
        [export],
        knowledge_structure(roles=False),
        ResponseOptions(timepoint_field="when", events={"2": "followup"}),
    )
    assert rows(result, ["participant", "timepoint", "k1"]) == [
        ["AB12", "pre", "1"],
        ["AB12", "post", "2"],
        ["CD34", "followup", "3"],
    ]
    assert [o.where for o in result.left_out] == ["tp.csv, row 5"]
    assert "answer '9' is not a timepoint" in result.left_out[0].message


# --- longitudinal: sparse rows, record-level fields, repeating forms -------------------------


def test_a_sparse_longitudinal_export_takes_the_code_from_the_enrolment_event() -> None:
    result = read_records(
        [local("longitudinal_sparse.csv")],
        knowledge_structure(identifying=("own_code_hint",)),
        ResponseOptions(events={"pre_training_arm_1": "pre", "post_training_arm_1": "post"}),
    )
    assert rows(result, ["participant", "cohort", "directorate", "timepoint", *ITEMS]) == [
        ["AB12", "TF1", "2", "pre", "2", "3", "2", "1"],
        ["AB12", "TF1", "2", "post", "1", "4", "5", "3"],
    ]
    assert result.origins == (
        ("longitudinal_sparse.csv", 5),
        ("longitudinal_sparse.csv", 6),
    )
    assert result.dropped == ("study_id", "first_name", "email")
    assert [str(o) for o in result.left_out] == [
        "longitudinal_sparse.csv, row 8: the form is marked Incomplete (imh_knowledge_complete "
        "= 0), so this response was left out; keep incomplete responses (--keep-incomplete) to "
        "include it",
        "longitudinal_sparse.csv, row 10: event 'withdrawal_arm_1' is not mapped to a "
        "timepoint, so this response was left out; to include it, give --events "
        "withdrawal_arm_1=pre (or post, followup)",
        "longitudinal_sparse.csv, row 12: no self-generated code (column 'own_code' is blank), "
        "so this response cannot be matched and was left out",
    ]
    notes = "\n".join(result.notes)
    assert (
        "longitudinal_sparse.csv: rows 3 and 4 are repeat instances of the form 'contacts'" in notes
    )
    assert "rows 2, 7, 9 and 11 answer none of the instrument's questions (events: " in notes
    assert "2 response(s) took their code from another row of the same record" in notes
    assert "column 'directorate' holds codes (2), not names" in notes
    assert "were ignored: k_total, contact_date" in notes
    frame = result.frame.to_csv()
    for secret in ("Ann", "ann@example.org", "Bob", "101"):
        assert secret not in frame
        assert secret not in notes


def test_record_ids_link_events_only_when_no_field_holds_a_code() -> None:
    export = csv_source(
        "no_code.csv",
        [
            "participant_ref,redcap_event_name,k1,se1,se2,imh_knowledge_complete",
            "P1,pre_arm_1,1,2,3,2",
            "P1,post_arm_1,2,3,4,2",
            "P2,pre_arm_1,3,3,3,2",
        ],
    )
    result = read_records(
        [export], knowledge_structure(roles=False, code_field=None), ResponseOptions()
    )
    assert rows(result, ["participant", "timepoint", "k1"]) == [
        ["P1", "pre", "1"],
        ["P1", "post", "2"],
        ["P2", "pre", "3"],
    ]
    assert result.dropped == ()
    assert any(
        "the record id ('participant_ref') links each record's events" in n for n in result.notes
    )


def test_no_code_field_and_no_record_spanning_timepoints_is_refused() -> None:
    export = csv_source(
        "classic.csv",
        ["record_id,nickname,k1,se1,se2", "1,Al,1,2,3", "2,Bo,2,3,4"],
    )
    with pytest.raises(DataFormatError) as error:
        read_records(
            [export],
            knowledge_structure(roles=False, code_field=None),
            ResponseOptions(timepoints={"classic.csv": "pre"}),
        )
    assert problems_of(error) == [
        "classic.csv: no column holds the self-generated code (no field's name contains "
        "'code'); name it with --code-field NAME (columns holding text: nickname)"
    ]


def test_one_column_named_code_is_taken_and_two_are_refused() -> None:
    one = csv_source("one.csv", ["record_id,my_code,k1,se1,se2", "1,AB12,1,2,3"])
    result = read_records(
        [one],
        knowledge_structure(roles=False, code_field=None),
        ResponseOptions(timepoints={"one.csv": "pre"}),
    )
    assert result.frame["participant"].tolist() == ["AB12"]
    assert any(
        "read from column 'my_code' (the one column whose name contains" in n for n in result.notes
    )
    two = csv_source(
        "two.csv", ["record_id,my_code,zipcode,course_code,k1,se1,se2", "1,AB12,N1,C1,1,2,3"]
    )
    with pytest.raises(DataFormatError) as error:
        read_records(
            [two],
            knowledge_structure(roles=False, code_field=None),
            ResponseOptions(timepoints={"two.csv": "pre"}),
        )
    assert problems_of(error) == [
        "two.csv: 2 columns could hold the self-generated code (my_code, course_code); say "
        "which with --code-field NAME"
    ]
    named = read_records(
        [two],
        knowledge_structure(roles=False, code_field=None),
        ResponseOptions(timepoints={"two.csv": "pre"}, code_field="COURSE_CODE"),
    )
    assert named.frame["participant"].tolist() == ["C1"]


def test_a_named_code_field_that_is_missing_or_identifying_is_a_problem() -> None:
    export = csv_source("x.csv", ["record_id,email,own_code,k1,se1,se2", "1,a@b.org,AB12,1,2,3"])
    for field, expected in (
        (
            "own_kode",
            "x.csv, column 'own_kode': there is no such column to read the "
            "self-generated code from (columns that could hold it: own_code)",
        ),
        (
            "email",
            "x.csv, column 'email': this column identifies people, so imheval will not "
            "use it as the participant code; name the field holding the self-generated code",
        ),
    ):
        with pytest.raises(DataFormatError) as error:
            read_records(
                [export],
                knowledge_structure(roles=False),
                ResponseOptions(timepoints={"x.csv": "pre"}, code_field=field),
            )
        assert problems_of(error) == [expected]


def test_the_data_access_group_can_be_the_cohort() -> None:
    result = read_records(
        [shared("redcap_records_flat_raw.csv")],
        knowledge_structure(),
        ResponseOptions(cohort_field="redcap_data_access_group"),
    )
    assert result.frame["cohort"].tolist() == ["trust_north"] * 3
    assert not any("data access group" in note for note in result.notes)


def test_repeat_instances_of_the_instruments_own_form_are_responses() -> None:
    export = csv_source(
        "repeats.csv",
        [
            "record_id,redcap_event_name,redcap_repeat_instrument,redcap_repeat_instance,"
            "own_code,k1,se1,se2,imh_knowledge_complete",
            "1,pre_arm_1,,,AB12,,,,",
            "1,pre_arm_1,imh_knowledge,1,,1,2,3,2",
            "1,pre_arm_1,imh_knowledge,2,,2,2,3,2",
            "1,post_arm_1,,,AB12,3,4,5,2",
        ],
    )
    result = read_records([export], knowledge_structure(roles=False), ResponseOptions())
    assert rows(result, ["participant", "timepoint", "k1"]) == [
        ["AB12", "pre", "1"],
        ["AB12", "pre", "2"],
        ["AB12", "post", "3"],
    ]
    assert any("2 response(s) are repeat instances" in note for note in result.notes)


# --- values -----------------------------------------------------------------------------------


def test_an_excel_saved_export_is_read_with_its_decimal_commas_and_date_like_codes() -> None:
    result = read_records(
        [local("knowledge_excel_semicolon.csv")], knowledge_structure(), ResponseOptions()
    )
    assert rows(result) == [
        ["Mar-67", "pre", "2", "3", "2", "1"],
        ["Mar-67", "post", "1", "4", "4", "1"],
        ["Zoë04", "pre", "1", "2", "3", "2"],
        ["Zoë04", "post", "777", "2", "3", "2"],
    ]
    notes = "\n".join(result.notes)
    assert "the codes in rows 2 and 3 look like dates" in notes
    assert (
        "question 'se1' (column 'se1') has numbers written with a decimal part (3,0, 2.0)" in notes
    )
    assert (
        "question 'k1' (column 'k1') has answers that are not among its options: 777 (1×); "
        "they are kept as written and imheval counts them as invalid" in notes
    )


def test_open_answers_are_kept_exactly_as_written() -> None:
    export = csv_source(
        "open.csv",
        [
            "record_id,own_code,k1,se1,se2,comments",
            '1,AB12,1,2,3,"  Two lines,\nwith a comma  "',
            "2,CD34,1,2,3,   ",
        ],
    )
    result = read_records(
        [export],
        knowledge_structure(roles=False, comments=True),
        ResponseOptions(timepoints={"open.csv": "post"}),
    )
    assert result.frame["comments"].tolist() == ["  Two lines,\nwith a comma  ", ""]


def test_a_checkbox_named_by_its_field_alone_finds_its_option_columns() -> None:
    export = csv_source(
        "boxes.csv",
        [
            "record_id,own_code,roles___1,roles___2,roles___3,roles___4,k1",
            "1,AB12,0,0,1,0,1",
            "2,CD34,0,0,0,0,1",
        ],
    )
    result = read_records(
        [export],
        knowledge_structure(roles_columns=False),
        ResponseOptions(timepoints={"boxes.csv": "pre"}),
    )
    assert result.frame["roles"].tolist() == ["3", ""]
    assert any("2 question(s) of the dictionary are not in the export" in n for n in result.notes)


# --- bad input: every problem together, nothing imported ----------------------------------


def test_columns_that_do_not_match_the_dictionary_are_refused_naming_a_few() -> None:
    export = csv_source("other.csv", ["record_id,age,sex,height", "1,30,1,170"])
    with pytest.raises(DataFormatError) as error:
        read_records([export], knowledge_structure(), ResponseOptions())
    assert problems_of(error) == [
        "other.csv: the export's columns do not match the dictionary: none of its questions "
        "(k1, se1, se2, roles) is a column of this file (its columns: record_id, age, sex, "
        "height); check that the export and the data dictionary come from the same REDCap "
        "project"
    ]


def test_problems_in_several_files_are_reported_together() -> None:
    duplicated = csv_source("dup.csv", ["record_id,own_code,k1,se1,k1,se2", "1,AB12,1,2,1,3"])
    wide = csv_source(
        "wide.csv", ["record_id,own_code,k1,se1,se2", "1,AB12,1,2,3", "2,CD34,1,2,3,4,5"]
    )
    with pytest.raises(DataFormatError) as error:
        read_records(
            [duplicated, wide],
            knowledge_structure(roles=False),
            ResponseOptions(
                timepoints={"dup.csv": "pre", "wide.csv": "soon"}, events={"x": "later"}
            ),
        )
    assert problems_of(error) == [
        "--events: 'x=later': 'later' is not a timepoint; use pre, post or followup",
        "--timepoint: 'wide.csv=soon': 'soon' is not a timepoint; use pre, post or followup",
        "dup.csv, column 'k1': the column appears 2 times (columns 3 and 5); REDCap never "
        "repeats a column, so the file was changed after export: export it again",
        "wide.csv, row 3: this row has 7 cells but the header has 5",
    ]


def test_no_file_is_a_problem() -> None:
    with pytest.raises(DataFormatError, match="no REDCap record export was given"):
        read_records([], knowledge_structure(), ResponseOptions())


def test_a_binary_file_is_refused_by_name() -> None:
    with pytest.raises(DataFormatError) as error:
        read_records(
            [SourceFile("export.xlsx", b"PK\x03\x04\x00\x00binary")],
            knowledge_structure(),
            ResponseOptions(),
        )
    assert problems_of(error)[0].startswith("export.xlsx: this is not a text file")


# --- the event mapping file ------------------------------------------------------------------


def test_a_mapping_file_with_other_header_names_and_timepoint_words() -> None:
    assert read_event_mapping(local("mapping_headers.csv")) == {
        "pre_arm_1": "pre",
        "post_arm_1": "post",
        "follow_up_arm_1": "followup",
        "baseline_arm_2": "pre",
    }


def test_a_bad_mapping_file_names_every_row() -> None:
    with pytest.raises(DataFormatError) as error:
        read_event_mapping(local("mapping_bad.csv"))
    assert problems_of(error) == [
        "mapping_bad.csv, row 3, column 'timepoint': 'later' is not a timepoint; use pre, post "
        "or followup",
        "mapping_bad.csv, row 4: the event is blank; name it",
        "mapping_bad.csv, row 5: event 'pre_arm_1' is mapped to pre in row 2 and to post here; "
        "give it one timepoint",
        "mapping_bad.csv, row 6, column 'timepoint': the timepoint is blank; use pre, post or "
        "followup",
    ]


def test_a_mapping_file_without_an_event_column_or_timepoint_words_is_refused() -> None:
    with pytest.raises(DataFormatError) as error:
        read_event_mapping(csv_source("m.csv", ["visit,when", "a,pre"]))
    assert problems_of(error) == [
        "m.csv: there is no event column; a mapping file has two columns, 'event' and "
        "'timepoint' (this file's columns: visit, when)"
    ]
    with pytest.raises(DataFormatError) as error:
        read_event_mapping(
            SourceFile.read(
                shared_fixture("interop", "real", "redcap", "redcapapi_instrument_designations.csv")
            )
        )
    assert problems_of(error) == [
        "redcapapi_instrument_designations.csv: this file has no timepoint column, and none of "
        "its events' names starts with a timepoint word (event_1_arm_1); add a 'timepoint' "
        "column (pre, post or followup) beside the event"
    ]
