"""Every real REDCap file in ../shared/fixtures/interop/real/redcap/ given as a data dictionary
(read in place): the dictionaries import with the values asserted here, or are refused with a
clear message; every other REDCap file is refused, saying what it is and what to download.
See ../shared/fixtures/interop/real/SOURCES.md for each file's origin and quirks.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from tests.shared_fixtures import shared_fixture

from imheval.errors import InstrumentError
from imheval.instruments import KeyedItem, RatingItem
from imheval.interop.model import InstrumentImport, SourceFile
from imheval.interop.redcap.dictionary import read_dictionary

DOWNLOAD = "download the data dictionary instead (in REDCap: Project Setup > Data Dictionary"


def real(name: str) -> SourceFile:
    return SourceFile.read(shared_fixture("interop", "real", "redcap", name))


def refusal(source: SourceFile) -> str:
    with pytest.raises(InstrumentError) as refused:
        read_dictionary(source)
    [problem] = refused.value.problems
    assert problem.file == source.name
    return problem.message


def kinds(imported: InstrumentImport) -> Counter[str]:
    return Counter(q.kind for q in imported.instrument.questions)


def omitted(imported: InstrumentImport, where: str) -> list[str]:
    return [o.message for o in imported.omissions if o.where == where]


# ---------------------------------------------------------------------------------------------
# Dictionaries that import


def test_shared_example_dictionary() -> None:
    imported = read_dictionary(
        SourceFile.read(shared_fixture("interop", "redcap_data_dictionary.csv"))
    )
    instrument = imported.instrument
    assert instrument.id == "imh_knowledge"
    k1, se1, se2 = instrument.questions
    assert isinstance(k1, KeyedItem) and (k1.key, k1.domain) == (("1",), "knowledge")
    assert isinstance(se1, RatingItem) and isinstance(se2, RatingItem)
    assert (se1.scale, se2.scale, se1.domain) == ("se_grid", "se_grid", "self-efficacy")
    assert instrument.scales["se_grid"].labels[3] == "Neither"
    assert [d.label for d in instrument.domains] == ["Knowledge", "Self-efficacy"]
    assert imported.code_field == "own_code"
    # The checkbox "roles" is scored by nothing: four options to key, under "About you".
    assert [(q.source, q.domain, q.after) for q in imported.unkeyed] == [
        ("roles___1", "about_you", "se2"),
        ("roles___2", "about_you", "se2"),
        ("roles___3", "about_you", "se2"),
        ("roles___4", "about_you", "se2"),
    ]
    assert imported.unkeyed[2].text == "Which services do you work in?: Health visiting"
    assert len(imported.omissions) == 4


def test_hbcd_perinatal_dictionary_matrix_ratings_and_missing_codes() -> None:
    imported = read_dictionary(real("hbcd_perinatal_dictionary_bom.csv"))
    instrument = imported.instrument
    assert kinds(imported) == {"rating": 95, "open": 21}
    # The 8 matrix groups, as 6 scales: depression, anxiety and anger share one list.
    assert {name: (s.min, s.max) for name, s in instrument.scales.items()} == {
        "pex_bm_apa1_m01": (0, 4),
        "pex_bm_apa2_depr_m01": (1, 5),
        "pex_bm_apa2_sleep_m01": (1, 5),
        "pex_bm_apa2_pers_m01": (0, 3),
        "pex_bm_apa2_somat_m01": (0, 2),
        "pex_bm_str_i_ptsd_m01": (0, 4),
    }
    assert instrument.scales["pex_bm_apa2_depr_m01"].labels == {
        1: "Never",
        2: "Rarely",
        3: "Sometimes",
        4: "Often",
        5: "Always",
    }
    anger = next(q for q in instrument.items if q.id == "pex_bm_apa2_anger_001")
    assert isinstance(anger, RatingItem) and anger.scale == "pex_bm_apa2_depr_m01"
    # 777/999 are missing-data codes, not options (HTML stripped from their labels).
    assert omitted(imported, "matrix group 'pex_bm_apa2_depr_m01'") == [
        "the missing-data codes 999 (Don't know), 777 (Decline to answer) are not options: an "
        "answer of 999 or 777 is read as not one of the options (scored 'invalid')"
    ]
    assert "777" not in imported.answer_map("pex_bm_apa2_depr_001").codes
    # The calcs that blank 777/999 are quoted, not carried; the jQuery "calcs" too.
    assert omitted(imported, "field 'pex_bm_apa2_depr_001_i_01'") == [
        "the calculation if(([pex_bm_apa2_depr_001] = '777' OR [pex_bm_apa2_depr_001] = '999'), "
        "'', [pex… is not carried: it handles missing-data codes (777, 999...); imheval reads "
        "such an answer as not one of the options (scored 'invalid')"
    ]
    assert omitted(imported, "field 'pex_bm_health_preg_i_illness_003_i_04'")[0].endswith(
        "is not carried: it is JavaScript, not a REDCap calculation"
    )
    calcs = [o for o in imported.omissions if o.message.startswith("the calculation")]
    assert len(calcs) == 36
    assert len(imported.unkeyed) == 194
    assert imported.instrument.domains[1].label == "In the past SEVEN (7) DAYS...."
    hidden = [o for o in imported.omissions if o.message.startswith("it is hidden")]
    assert len(hidden) == 48
    assert len(imported.omissions) == 629


#: The morale questions asked on two forms (pmq1 = cpq10 ...), keyed to read the dictionary.
LONGITUDINAL_KEYS = {
    "pmq1": ["0"],
    "pmq2": ["0"],
    "pmq4": ["2"],
    "cpq10": ["0"],
    "cpq11": ["0"],
    "cpq13": ["2"],
}


def test_redcapr_longitudinal_dictionary() -> None:
    # The morale questions are the same questions asked again on a second form, not a battery
    # of different questions sharing a scale, so nothing is a rating and keys are needed.
    assert refusal(real("redcapr_longitudinal_dictionary.csv")).startswith(
        "no question in this dictionary is scored: no calculation scores its choice questions "
        "('ethnicity', 'race', 'sex', 'given_birth', 'gym___0'"
    )
    imported = read_dictionary(real("redcapr_longitudinal_dictionary.csv"), keys=LONGITUDINAL_KEYS)
    instrument = imported.instrument
    assert kinds(imported) == Counter({"keyed": 6, "open": kinds(imported)["open"]})
    opened = {q.id for q in instrument.open_items}
    assert {"age", "comments", "vob7", "vob14", "study_comments"} <= opened
    # Free text that names a person (next of kin) is dropped as identifying.
    next_of_kin = {"next_of_kin_contact_name", "next_of_kin_contact_address"}
    assert next_of_kin <= set(imported.identifying)
    assert not next_of_kin & opened
    # Forms are domains.
    assert [(q.id, q.domain) for q in instrument.items] == [
        ("pmq1", "patient_morale_questionnaire"),
        ("pmq2", "patient_morale_questionnaire"),
        ("pmq4", "patient_morale_questionnaire"),
        ("cpq10", "completion_project_questionnaire"),
        ("cpq11", "completion_project_questionnaire"),
        ("cpq13", "completion_project_questionnaire"),
    ]
    pmq4 = next(q for q in instrument.items if q.id == "pmq4")
    assert isinstance(pmq4, KeyedItem)
    assert pmq4.options == {"0": "not open", "1": "undecided", "2": "very open"}
    assert {
        "first_name",
        "last_name",
        "telephone_1",
        "email",
        "dob",
        "ec_phone",
        "next_of_kin_contact_phone",
    } <= set(imported.identifying)
    assert not set(imported.identifying) & {q.id for q in instrument.questions}
    # The checkbox matrix (weekly_schedule) is 4 fields x 5 days of options to key.
    assert sum(1 for q in imported.unkeyed if q.source.startswith(("gym___", "drink___"))) == 10
    assert len(imported.unkeyed) == 55
    assert omitted(imported, "field 'given_birth'")[0] == (
        'it is shown only when [sex] = "0"; the condition is not carried (imheval asks every '
        "question)"
    )
    assert omitted(imported, "field 'specify_mood'") == [
        "a slider (a visual analogue scale) is not a choice imheval can score; if it is a "
        "rating, add it to the instrument by hand as a rating question"
    ]
    assert omitted(imported, "field 'bmi'") == [
        "the calculation round(([weight]*10000)/(([height])^(2)),1) is not carried: it is not a "
        "sum of answers or of if(...) scores of choice questions"
    ]


def test_redcapr_validation_types_dictionary() -> None:
    imported = read_dictionary(real("redcapr_validation_types_dictionary.csv"))
    instrument = imported.instrument
    assert (instrument.id, instrument.title) == ("form_1", "Form 1")
    assert [(q.id, q.kind) for q in instrument.questions] == [
        ("f_dropdown", "rating"),
        ("f_notes", "open"),
        ("f_radio", "rating"),
        ("f_text", "open"),
        ("v_alpha_only", "open"),
    ]
    assert instrument.scales["scale_1"].labels == {0: "Zero", 1: "One", 2: "Two"}
    assert len(imported.identifying) == 12  # email, phone, postcode, ssn, mrn... validations
    assert omitted(imported, "field 'f_calculated'") == [
        "the calculation 3+4 is not carried: it scores no question"
    ]
    assert omitted(imported, "field 'f_sql'") == [
        "a dynamic SQL field takes its choices from the REDCap database, which this file does "
        "not hold"
    ]
    assert [q.source for q in imported.unkeyed] == [
        "f_checkbox___0",
        "f_checkbox___1",
        "f_checkbox___2",
        "f_true_false",
        "f_yes_no",
    ]


def test_surveyor_legacy_14_column_dictionary() -> None:
    imported = read_dictionary(real("surveyor_legacy_14col_dictionary.csv"))
    instrument = imported.instrument
    assert kinds(imported)["rating"] == 6
    # "What was the cause of hospitalization?" (1 Vascular access related events, 2 CVD events,
    # 3 Other) is one question asked again each month, not a rating battery: it waits for a key.
    unkeyed = [q.source for q in imported.unkeyed]
    assert {"cause_hosp_1", "cause_hosp_2", "cause_hosp_3"} <= set(unkeyed)
    assert not {q.id for q in instrument.items} & {"cause_hosp_1", "cause_hosp_2", "cause_hosp_3"}
    assert {"subject_comments", "study_comments"} <= {q.id for q in instrument.open_items}
    promis = [q for q in instrument.items if q.id.startswith("fat")]
    # PROMIS fatigue: six items share "1, 1 Never | ... | 5, 5 Always"; fatimp40 lists its
    # choices the other way round (its own list), so it waits for a key.
    assert [q.id for q in promis] == [
        "fatexp20_0d31d8",
        "fatexp5_d80a4c",
        "fatexp18_396fe5",
        "fatimp33_a9e236",
        "fatimp30_5f4d82",
        "fatimp21_de19f3",
    ]
    assert list(instrument.scales) == ["scale_1"]
    assert instrument.scales["scale_1"].labels[1] == "1 Never"
    assert "fatimp40_f7e5db" in [q.source for q in imported.unkeyed]
    assert omitted(imported, "field 'date_enrolled'") == [
        "a date or time field (date); imheval scores choices and keeps free text, not dates or "
        "numbers"
    ]
    assert {
        "first_name",
        "last_name",
        "address",
        "telephone_1",
        "telephone_2",
        "email",
        "dob",
        "dialysis_unit_phone",
    } <= set(imported.identifying)


# ---------------------------------------------------------------------------------------------
# Dictionaries refused: nothing in them is scored or can be


@pytest.mark.parametrize(
    ("name", "start"),
    [
        ("redcapapi_dictionary.csv", "'treatment', 'checkbox_test___x'"),
        ("redcapr_checkboxes_dictionary.csv", "'check_one___1', 'check_one___2'"),
        ("redcapr_problematic_dictionary_bom.csv", "'v1', 'curly_quote_single'"),
        ("redcapr_repeating_dictionary.csv", "'ethnicity', 'race', 'sex'"),
        ("redcapr_simple_metadata_api_colnames.csv", "'sex', 'race___1'"),
        ("redcapr_survey_dictionary.csv", "'has_diabetes', 'consent___1'"),
        ("rsvc_dictionary_excel_saved_crlf.csv", "'radio', 'multiple_dropdown_manual_2'"),
    ],
)
def test_dictionaries_that_score_nothing_are_refused_listing_what_to_key(
    name: str, start: str
) -> None:
    message = refusal(real(name))
    assert message.startswith(
        f"no question in this dictionary is scored: no calculation scores its choice questions "
        f"({start}"
    )
    assert message.endswith(
        "Give the answer key of at least one with --key FIELD=CODE, or add a calc field that "
        "scores them, e.g. if([k1]='1',1,0)"
    )


def test_problematic_dictionary_reads_once_keyed() -> None:
    # BOM, U+FFFD mojibake, curly quotes and a Unicode minus; codes 0, 1, 3.
    imported = read_dictionary(real("redcapr_problematic_dictionary_bom.csv"), keys={"v1": ["Yes"]})
    [v1] = imported.instrument.questions
    assert isinstance(v1, KeyedItem)
    assert v1.options == {"0": "No", "1": "Yes", "3": "I should find out"}
    assert v1.text == "Is the laser mounted on the shark?\ufffd?\ufffd"
    assert omitted(imported, "field 'v1'") == [
        "its label holds characters that could not be read (shown as \ufffd); check the question "
        "text"
    ]
    long_dash = next(q for q in imported.unkeyed if q.source == "long_dash")
    assert (
        long_dash.text
        == 'Maybe I don\'t "wear the latest clothes" \u2212or even ones that don\'t "reek"'
    )


def test_api_column_names_with_r_na_cells_read_once_keyed() -> None:
    imported = read_dictionary(
        real("redcapr_simple_metadata_api_colnames.csv"), keys={"sex": ["0"]}
    )
    assert [q.id for q in imported.instrument.questions] == ["sex", "comments"]
    # NA is blank: the section headers are "Contact Information" (over name_first, and so over
    # sex) and "General Comments" (over comments, which is asked after the scored questions).
    assert imported.instrument.domains[0].label == "Contact Information"
    assert imported.instrument.open_items[0].domain is None
    assert imported.identifying == (
        "name_first",
        "name_last",
        "address",
        "telephone",
        "email",
        "dob",
    )


def test_excel_resaved_dictionary_reads_once_keyed() -> None:
    imported = read_dictionary(
        real("rsvc_dictionary_excel_saved_crlf.csv"), keys={"radio_button_manual": ["100"]}
    )
    item = next(q for q in imported.instrument.items if q.id == "radio_button_manual")
    assert isinstance(item, KeyedItem)
    assert item.options == {"9..9": "Choice99", "100": "Choice100", "101": "Choice101"}
    # The section header that is a single space is no header.
    assert imported.instrument.domains[0].id == "data_types"
    assert omitted(imported, "field 'multiple_radio_auto'") == [
        "its action tags @DEFAULT are not carried",
        "a choice question with no answer key (no calculation scores it), so it is left out; to "
        "score it, give its key with --key multiple_radio_auto=CODE (its options: 1 = Choice1; "
        "2 = Choice2; 3 = Choice.3)",
    ]


def test_project_xml_is_read_for_its_metadata() -> None:
    source = real("pycap_simple_project_odm.xml")
    assert refusal(source).startswith(
        "no question in this dictionary is scored: no calculation scores its choice questions "
        "('ethnicity', 'race', 'sex')"
    )
    imported = read_dictionary(source, keys={"sex": ["Male"]})
    assert [(q.id, q.domain) for q in imported.instrument.questions] == [
        ("sex", "contact_information"),
        ("comments", None),
    ]
    sex = imported.instrument.questions[0]
    assert isinstance(sex, KeyedItem) and (sex.options, sex.key) == (
        {"0": "Female", "1": "Male"},
        ("1",),
    )
    assert imported.identifying == (
        "first_name",
        "last_name",
        "address",
        "telephone",
        "email",
        "dob",
    )
    # The form status field and the data access group are not fields of the dictionary.
    assert not [o for o in imported.omissions if "complete" in o.where or "access" in o.where]
    assert omitted(imported, "field 'age'") == [
        "the calculation rounddown(datediff([dob],'today','y')) is not carried: it is not a sum "
        "of answers or of if(...) scores of choice questions"
    ]


@pytest.mark.parametrize(
    ("name", "record_id"),
    [
        ("surveyor_legacy_14col_cr_only.csv", "sibs"),
        ("surveyor_transitional_headers_cr_only.csv", "sex"),
    ],
)
def test_fragments_with_only_a_record_id_and_numbers_are_refused(name: str, record_id: str) -> None:
    assert refusal(real(name)).startswith(
        f"this dictionary has no choice question imheval can score besides the record ID field "
        f"'{record_id}' (the first field)"
    )


# ---------------------------------------------------------------------------------------------
# Other REDCap files given as the dictionary


@pytest.mark.parametrize(
    ("name", "what"),
    [
        ("redcapapi_arms.csv", "this is REDCap's list of arms (Define My Events)"),
        ("redcapr_longitudinal_arms.csv", "this is REDCap's list of arms (Define My Events)"),
        ("redcapapi_events.csv", "this is REDCap's list of events (Define My Events)"),
        ("redcapr_longitudinal_events.csv", "this is REDCap's list of events (Define My Events)"),
        (
            "redcapapi_instrument_designations.csv",
            "this is REDCap's instrument-event mapping (Designate Instruments for My Events)",
        ),
        (
            "rsvc_instrument_designation_crlf.csv",
            "this is REDCap's instrument-event mapping (Designate Instruments for My Events)",
        ),
        (
            "redcaptidier_trial_instrument_event_mapping.csv",
            "this is REDCap's instrument-event mapping (Designate Instruments for My Events)",
        ),
        ("redcapapi_records.csv", "this is a REDCap record export (the answers)"),
        ("redcapr_checkboxes_records.csv", "this is a REDCap record export (the answers)"),
        ("redcapr_longitudinal_records.csv", "this is a REDCap record export (the answers)"),
        ("redcapr_repeating_records.csv", "this is a REDCap record export (the answers)"),
        ("redcapr_survey_records.csv", "this is a REDCap record export (the answers)"),
        ("redcapr_validation_types_records.csv", "this is a REDCap record export (the answers)"),
        ("redcaptidier_trial_records.csv", "this is a REDCap record export (the answers)"),
        (
            "rsvc_records_longitudinal_repeating_excel_dates_crlf.csv",
            "this is a REDCap record export (the answers)",
        ),
    ],
)
def test_other_redcap_files_are_refused_saying_what_they_are(name: str, what: str) -> None:
    message = refusal(real(name))
    assert message.startswith(what + ", not")
    assert DOWNLOAD in message


def test_every_real_redcap_file_is_covered() -> None:
    folder = Path(shared_fixture("interop", "real", "redcap", "redcapapi_arms.csv")).parent
    covered = {
        "hbcd_perinatal_dictionary_bom.csv",
        "redcapr_longitudinal_dictionary.csv",
        "redcapr_validation_types_dictionary.csv",
        "surveyor_legacy_14col_dictionary.csv",
        "redcapapi_dictionary.csv",
        "redcapr_checkboxes_dictionary.csv",
        "redcapr_problematic_dictionary_bom.csv",
        "redcapr_repeating_dictionary.csv",
        "redcapr_simple_metadata_api_colnames.csv",
        "redcapr_survey_dictionary.csv",
        "rsvc_dictionary_excel_saved_crlf.csv",
        "surveyor_legacy_14col_cr_only.csv",
        "surveyor_transitional_headers_cr_only.csv",
        "redcapapi_arms.csv",
        "redcapr_longitudinal_arms.csv",
        "redcapapi_events.csv",
        "redcapr_longitudinal_events.csv",
        "redcapapi_instrument_designations.csv",
        "rsvc_instrument_designation_crlf.csv",
        "redcaptidier_trial_instrument_event_mapping.csv",
        "redcapapi_records.csv",
        "redcapr_checkboxes_records.csv",
        "redcapr_longitudinal_records.csv",
        "redcapr_repeating_records.csv",
        "redcapr_survey_records.csv",
        "redcapr_validation_types_records.csv",
        "redcaptidier_trial_records.csv",
        "rsvc_records_longitudinal_repeating_excel_dates_crlf.csv",
        "pycap_simple_project_odm.xml",
    }
    assert {path.name for path in folder.iterdir()} == covered
