"""Which system a file comes from, and the refusals that follow when it is not what was asked:
every shared fixture is recognised, and the wrong file or system is named before any reader
runs."""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import Workbook
from tests.shared_fixtures import shared_fixture

from imheval.errors import DataFormatError, InstrumentError
from imheval.instruments import get_builtin
from imheval.interop.convert import convert, export_instrument, read_structure
from imheval.interop.model import SourceFile, System
from imheval.interop.sniff import Role, sniff_system

R, F, L, M = System.REDCAP, System.FHIR, System.LIMESURVEY, System.MSFORMS
S, A, X = Role.STRUCTURE, Role.RESPONSES, Role.OTHER

#: Every file in the shared interop fixtures, and what it is.
EXPECTED = {
    "fhir_r4_questionnaire.json": (F, S),
    "fhir_r4_questionnaireresponse.json": (F, A),
    "limesurvey_responses_codeheadings.csv": (L, A),
    "msforms_export_quiz_header.csv": (M, A),
    "msforms_export_survey.csv": (M, A),
    "redcap_data_dictionary.csv": (R, S),
    "redcap_instrument_event_mapping.csv": (R, X),
    "redcap_records_flat_raw.csv": (R, A),
    "real/fhir/argonaut_phq9_questionnaire.json": (F, S),
    "real/fhir/argonaut_phq9_questionnaireresponse.json": (F, A),
    "real/fhir/lforms_r4_apgar_itemweight_questionnaire.json": (F, S),
    "real/fhir/lforms_r4_phq9_questionnaire.json": (F, S),
    "real/fhir/sdc_phq9_questionnaire.json": (F, S),
    "real/fhir/sdc_phq9_questionnaireresponse.json": (F, A),
    "real/fhir/sdc_trivia_quiz_answer_key_qr.xml": (F, A),
    "real/fhir/sdc_trivia_quiz_questionnaire.xml": (F, S),
    "real/fhir/sdc_trivia_quiz_response_qr.xml": (F, A),
    "real/limesurvey/ls25_survey_853735_mixed_eol.lss": (L, S),
    "real/limesurvey/ls2_survey_981966_assessments_crlf.lss": (L, S),
    "real/limesurvey/ls2_survey_981966_tab_structure.txt": (L, S),
    "real/limesurvey/ls5_group_1370.lsg": (L, S),
    "real/limesurvey/ls6_survey_one_question_et_en.lss": (L, S),
    "real/limesurvey/ls_responses_code_headings_anonymised.csv": (L, A),
    "real/limesurvey/ls_responses_fulltext_headings_bom_100001_wide.csv": (L, A),
    "real/limesurvey/ls_responses_fulltext_headings_bom_998192.csv": (L, A),
    "real/limesurvey/ls_tab_structure_one_question.txt": (L, S),
    "real/msforms/msforms_quiz_category1_excel_resaved.xlsx": (M, A),
    "real/redcap/hbcd_perinatal_dictionary_bom.csv": (R, S),
    "real/redcap/pycap_simple_project_odm.xml": (R, S),
    "real/redcap/redcapapi_arms.csv": (R, X),
    "real/redcap/redcapapi_dictionary.csv": (R, S),
    "real/redcap/redcapapi_events.csv": (R, X),
    "real/redcap/redcapapi_instrument_designations.csv": (R, X),
    "real/redcap/redcapapi_records.csv": (R, A),
    "real/redcap/redcapr_checkboxes_dictionary.csv": (R, S),
    "real/redcap/redcapr_checkboxes_records.csv": (R, A),
    "real/redcap/redcapr_longitudinal_arms.csv": (R, X),
    "real/redcap/redcapr_longitudinal_dictionary.csv": (R, S),
    "real/redcap/redcapr_longitudinal_events.csv": (R, X),
    "real/redcap/redcapr_longitudinal_records.csv": (R, A),
    "real/redcap/redcapr_problematic_dictionary_bom.csv": (R, S),
    "real/redcap/redcapr_repeating_dictionary.csv": (R, S),
    "real/redcap/redcapr_repeating_records.csv": (R, A),
    "real/redcap/redcapr_simple_metadata_api_colnames.csv": (R, S),
    "real/redcap/redcapr_survey_dictionary.csv": (R, S),
    "real/redcap/redcapr_survey_records.csv": (R, A),
    "real/redcap/redcapr_validation_types_dictionary.csv": (R, S),
    "real/redcap/redcapr_validation_types_records.csv": (R, A),
    "real/redcap/redcaptidier_trial_instrument_event_mapping.csv": (R, X),
    "real/redcap/redcaptidier_trial_records.csv": (R, A),
    "real/redcap/rsvc_dictionary_excel_saved_crlf.csv": (R, S),
    "real/redcap/rsvc_instrument_designation_crlf.csv": (R, X),
    "real/redcap/rsvc_records_longitudinal_repeating_excel_dates_crlf.csv": (R, A),
    "real/redcap/surveyor_legacy_14col_cr_only.csv": (R, S),
    "real/redcap/surveyor_legacy_14col_dictionary.csv": (R, S),
    "real/redcap/surveyor_transitional_headers_cr_only.csv": (R, S),
}


def fixture(name: str) -> SourceFile:
    return SourceFile.read(shared_fixture("interop", *name.split("/")))


def test_every_shared_fixture_is_listed_here() -> None:
    folder = shared_fixture("interop", "redcap_data_dictionary.csv").parent
    found = {
        str(path.relative_to(folder))
        for path in folder.rglob("*")
        if path.is_file() and path.name != "SOURCES.md"
    }
    assert found == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_shared_fixture_is_recognised(name: str) -> None:
    seen = sniff_system(fixture(name))
    assert seen is not None
    assert (seen.system, seen.role) == EXPECTED[name]
    if seen.role is Role.OTHER:
        assert seen.advice  # a file imheval does not read says what to give instead


def test_descriptions_name_what_the_file_is() -> None:
    def described(name: str) -> str:
        seen = sniff_system(fixture(name))
        assert seen is not None
        return seen.description

    assert described("real/limesurvey/ls5_group_1370.lsg") == "a LimeSurvey question group (.lsg)"
    assert described("real/fhir/sdc_trivia_quiz_questionnaire.xml") == (
        "a FHIR Questionnaire (XML)"
    )
    assert described("real/redcap/redcapr_longitudinal_events.csv") == "REDCap's list of events"
    assert described("real/msforms/msforms_quiz_category1_excel_resaved.xlsx") == (
        "a Microsoft Forms download"
    )


def test_files_with_no_sign_of_a_system_are_left_to_the_reader() -> None:
    for data in (
        b"participant,cohort,timepoint,K1\nA,C,pre,a\n",
        b"",
        b"\x00\x01\x02binary",
        b'{"hello": "world"}',
        b"[1, 2, 3]",
        b"<html><body>hi</body></html>",
        b"PK\x03\x04 not really a zip",
    ):
        assert sniff_system(SourceFile("x", data)) is None


def test_a_bundle_is_judged_by_the_resources_it_holds_whatever_the_key_order() -> None:
    responses = b'{"entry": [{"resource": {"resourceType": "QuestionnaireResponse"}}], ' + (
        b'"resourceType": "Bundle"}'
    )
    questionnaires = b'{"resourceType": "Bundle", "entry": [{"resource": ' + (
        b'{"resourceType": "Questionnaire"}}]}'
    )
    seen = sniff_system(SourceFile("b.json", responses))
    assert seen is not None and (seen.system, seen.role) == (F, A)
    assert seen.description == "a FHIR Bundle of QuestionnaireResponses"
    seen = sniff_system(SourceFile("q.json", questionnaires))
    assert seen is not None and (seen.system, seen.role) == (F, S)


def test_zips_redcap_instrument_and_limesurvey_archive() -> None:
    def zipped(name: str) -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr(name, "x")
        return buffer.getvalue()

    seen = sniff_system(SourceFile("i.zip", zipped("instrument.csv")))
    assert seen is not None and (seen.system, seen.role) == (R, S)
    seen = sniff_system(SourceFile("s.lsa", zipped("survey_1.lss")))
    assert seen is not None and (seen.system, seen.role) == (L, X)
    assert "give the .lss file inside" in seen.advice


def test_a_forms_download_in_french_is_recognised_by_its_first_columns() -> None:
    book = Workbook()
    book.active.append(["ID", "Heure de début", "Heure de fin", "Adresse de messagerie", "Nom"])
    buffer = io.BytesIO()
    book.save(buffer)
    seen = sniff_system(SourceFile("fr.xlsx", buffer.getvalue()))
    assert seen is not None and (seen.system, seen.role) == (M, A)


# ---------------------------------------------------------------------------------------------
# The refusals


def test_a_limesurvey_export_given_as_redcap_says_to_choose_limesurvey() -> None:
    source = fixture("limesurvey_responses_codeheadings.csv")
    dictionary = fixture("redcap_data_dictionary.csv")
    with pytest.raises(DataFormatError) as caught:
        convert([source], System.REDCAP, structure=dictionary)
    assert str(caught.value) == (
        "limesurvey_responses_codeheadings.csv: this looks like a LimeSurvey response export, "
        "not a REDCap export: choose LimeSurvey (--from limesurvey)"
    )


def test_every_wrong_file_is_named_at_once() -> None:
    files = [fixture("msforms_export_survey.csv"), fixture("fhir_r4_questionnaireresponse.json")]
    with pytest.raises(DataFormatError) as caught:
        convert(files, System.LIMESURVEY)
    assert [p.file for p in caught.value.problems] == [
        "msforms_export_survey.csv",
        "fhir_r4_questionnaireresponse.json",
    ]
    assert "choose Microsoft Forms (--from msforms)" in caught.value.problems[0].message
    assert "choose FHIR (--from fhir)" in caught.value.problems[1].message


def test_the_dictionary_given_as_the_export_says_to_give_it_as_the_structure() -> None:
    with pytest.raises(DataFormatError) as caught:
        convert([fixture("redcap_data_dictionary.csv")], System.REDCAP)
    assert str(caught.value) == (
        "redcap_data_dictionary.csv: this is a REDCap data dictionary: the questions, not the "
        "answers; give it as the structure file (--structure) and the exported responses as the "
        "files to convert"
    )


def test_the_export_given_as_the_structure_says_to_give_it_as_a_file_to_convert() -> None:
    with pytest.raises(InstrumentError) as caught:
        read_structure(System.REDCAP, fixture("redcap_records_flat_raw.csv"))
    assert str(caught.value) == (
        "redcap_records_flat_raw.csv: this is a REDCap record export: the answers, not the "
        "questions; give it as a file to convert, and the data dictionary (CSV, or an "
        "instrument ZIP) as the structure file (--structure)"
    )


def test_redcaps_project_xml_is_read_as_the_structure_and_refused_as_the_records() -> None:
    odm = fixture("real/redcap/pycap_simple_project_odm.xml")
    seen = sniff_system(odm)
    assert seen is not None and seen.description == "a REDCap project XML (CDISC ODM)"
    # Its metadata is read (it scores nothing, so one question is keyed to read it).
    imported = read_structure(System.REDCAP, odm, keys={"sex": ["1"]})
    assert [question.id for question in imported.instrument.questions] == ["sex"]
    assert [question.source for question in imported.unkeyed] == ["ethnicity", "race"]
    with pytest.raises(DataFormatError) as caught:
        convert([odm], System.REDCAP, structure=odm)
    assert str(caught.value) == (
        "pycap_simple_project_odm.xml: this is a REDCap project XML (CDISC ODM): the "
        "questions, not the answers; give it as the structure file (--structure) and the "
        "exported responses as the files to convert (imheval reads its questions, not its "
        "records: export the records as 'CSV / Microsoft Excel (raw data)' (Data Exports, "
        "Reports, and Stats))"
    )


def test_a_structure_of_another_system_is_named() -> None:
    with pytest.raises(InstrumentError) as caught:
        read_structure(System.FHIR, fixture("real/limesurvey/ls6_survey_one_question_et_en.lss"))
    assert str(caught.value) == (
        "ls6_survey_one_question_et_en.lss: this looks like a LimeSurvey survey structure "
        "(.lss), not a FHIR Questionnaire (JSON): choose LimeSurvey (--from limesurvey)"
    )


def test_redcaps_event_list_says_it_is_not_needed() -> None:
    with pytest.raises(DataFormatError) as caught:
        convert([fixture("real/redcap/redcapr_longitudinal_events.csv")], System.REDCAP)
    message = str(caught.value)
    assert message.startswith("redcapr_longitudinal_events.csv: this is REDCap's list of events;")
    assert "--events EVENT=pre" in message


def test_without_a_structure_the_message_says_which_file_to_add() -> None:
    with pytest.raises(InstrumentError) as caught:
        convert([fixture("redcap_records_flat_raw.csv")], System.REDCAP)
    assert str(caught.value) == (
        "redcap_records_flat_raw.csv: REDCap exports hold the answers but not the questions: add "
        "the data dictionary (CSV, or an instrument ZIP) with --structure (in REDCap: Project "
        "Setup > Data Dictionary > 'Download the current Data Dictionary'), or the imheval "
        "instrument the data were captured with (--instrument)"
    )
    with pytest.raises(InstrumentError, match=r"survey structure file \(.lss\) with --structure"):
        convert([fixture("limesurvey_responses_codeheadings.csv")], System.LIMESURVEY)
    with pytest.raises(InstrumentError, match=r"Questionnaire \(JSON\) with --structure"):
        convert([fixture("fhir_r4_questionnaireresponse.json")], System.FHIR)


def test_forms_has_no_structure_file() -> None:
    with pytest.raises(InstrumentError, match="Microsoft Forms has no structure file"):
        read_structure(System.MSFORMS, fixture("redcap_data_dictionary.csv"))
    with pytest.raises(InstrumentError, match="Microsoft Forms has no structure file"):
        convert(
            [fixture("msforms_export_survey.csv")],
            System.MSFORMS,
            structure=fixture("fhir_r4_questionnaire.json"),
        )


def test_no_files_or_both_a_structure_and_an_instrument_are_refused() -> None:
    with pytest.raises(DataFormatError, match="give at least one export to convert"):
        convert([], System.REDCAP)
    with pytest.raises(InstrumentError, match="not both"):
        convert(
            [fixture("redcap_records_flat_raw.csv")],
            System.REDCAP,
            structure=fixture("redcap_data_dictionary.csv"),
            instrument=get_builtin("imh-core"),
        )


def test_forms_cannot_take_an_exported_questionnaire() -> None:
    with pytest.raises(InstrumentError) as caught:
        export_instrument(get_builtin("imh-core"), System.MSFORMS)
    assert "Microsoft Forms cannot read a questionnaire file" in str(caught.value)
    assert "imheval instruments show imh-core" in str(caught.value)
