"""Data captured in another system with an imheval instrument, read back with that instrument
(``convert(..., instrument=...)``): each system's own mapping knows what its export renamed
(REDCap's lower-case field names and 1..n codes, LimeSurvey's codes, A1.. answers and m2, FHIR's
code and timepoint items, Forms' labels), so every answer comes back exactly. See
tests/interop/convert_captured_build.py for the instrument and the exports."""

from __future__ import annotations

import json

import pytest
from tests.interop.convert_captured_build import (
    expected_rows,
    fhir_bundle,
    forms_downloads,
    limesurvey_responses,
    odd_instrument,
    redcap_records,
)

from imheval.errors import DataFormatError
from imheval.instruments import Instrument
from imheval.interop.common import maps_for_instrument
from imheval.interop.convert import convert, structure_for_instrument
from imheval.interop.model import Conversion, ResponseOptions, SourceFile, System


def rows(conversion: Conversion, instrument: Instrument) -> list[list[str]]:
    assert conversion.responses is not None
    frame = conversion.responses.frame
    columns = ["participant", "timepoint", *(q.id for q in instrument.questions)]
    return [list(row) for row in frame[columns].values.tolist()]


@pytest.mark.parametrize("labels", [False, True], ids=["raw", "labels"])
def test_redcap_records_read_with_the_instrument_give_every_answer(labels: bool) -> None:
    instrument = odd_instrument()
    conversion = convert(
        [redcap_records(instrument, labels=labels)], System.REDCAP, instrument=instrument
    )
    assert conversion.structure.instrument is instrument
    assert rows(conversion, instrument) == expected_rows(instrument)
    assert conversion.responses is not None
    # the record id links a person's events but may identify them: never stored
    assert conversion.responses.dropped == ("record_id",)
    assert conversion.responses.left_out == ()


@pytest.mark.parametrize("full_text", [False, True], ids=["codes", "full-text"])
def test_limesurvey_responses_read_with_the_instrument_give_every_answer(full_text: bool) -> None:
    instrument = odd_instrument()
    conversion = convert(
        [limesurvey_responses(instrument, full_text=full_text)],
        System.LIMESURVEY,
        instrument=instrument,
    )
    assert conversion.structure.instrument is instrument
    assert rows(conversion, instrument) == expected_rows(instrument)
    assert conversion.responses is not None
    assert set(conversion.responses.dropped) >= {"token" if not full_text else "Token"}


def test_fhir_responses_read_with_the_instrument_give_every_answer() -> None:
    instrument = odd_instrument()
    conversion = convert([fhir_bundle(instrument)], System.FHIR, instrument=instrument)
    assert conversion.structure.instrument is instrument
    assert rows(conversion, instrument) == expected_rows(instrument)


def test_forms_downloads_read_with_the_instrument_give_every_answer_labels_first() -> None:
    instrument = odd_instrument()
    conversion = convert(
        forms_downloads(instrument),
        System.MSFORMS,
        instrument=instrument,
        options=ResponseOptions(timepoints={"pre.xlsx": "pre", "post.xlsx": "post"}),
    )
    assert conversion.structure.instrument is instrument
    # CD34 chose the option labelled "a-1": Later_years, not the option whose code is a-1
    assert rows(conversion, instrument) == expected_rows(instrument)


def test_each_systems_mapping_knows_its_renamings_in_the_instruments_order() -> None:
    instrument = odd_instrument()
    ids = [q.id for q in instrument.questions]
    redcap = structure_for_instrument(instrument, System.REDCAP)
    limesurvey = structure_for_instrument(instrument, System.LIMESURVEY)
    fhir = structure_for_instrument(instrument, System.FHIR)
    forms = structure_for_instrument(instrument, System.MSFORMS)
    for structure, system in [
        (redcap, System.REDCAP),
        (limesurvey, System.LIMESURVEY),
        (fhir, System.FHIR),
        (forms, System.MSFORMS),
    ]:
        assert structure.instrument is instrument and structure.system is system
        assert [a.item for a in structure.answers] == ids
        assert structure.unkeyed == ()
    assert [a.source for a in redcap.answers] == ["ka_01_a", "kb_02", "se_1", "se_2", "why_not"]
    assert redcap.answer_map("KA-01.a").codes["3"] == "Later_years"
    assert redcap.code_field == "code"
    assert [a.source for a in limesurvey.answers][:2] == ["KA01a", "KB02"]
    assert limesurvey.answer_map("SE.2").codes["m2"] == "-2"
    assert (limesurvey.code_field, limesurvey.timepoint_field) == ("code", "timepoint")
    assert [a.source for a in fhir.answers] == ids
    assert (fhir.code_field, fhir.timepoint_field, fhir.canonical) == ("code", "timepoint", None)
    assert forms.answers[0].source == "Brain growth is fastest"
    # Forms writes labels: "a-1" is the label of Later_years; elsewhere a code wins
    assert forms.answer_map("KA-01.a").codes["a-1"] == "Later_years"
    plain = maps_for_instrument(instrument, System.FHIR)
    assert plain.answer_map("KA-01.a").codes["a-1"] == "a-1"
    assert list(forms.answer_map("KA-01.a").codes) == [
        "Conception to age 3",
        "Age 3 to 5",
        "a-1",
        "b.2",
        "Later_years",
    ]


def test_fhir_responses_are_checked_against_the_instrument_whatever_the_base_url() -> None:
    instrument = odd_instrument()
    exported = json.loads(fhir_bundle(instrument).data)
    for entry in exported["entry"]:
        entry["resource"]["questionnaire"] = (
            "https://fhir.trust.nhs.uk/Questionnaire/IMH-Odd.v2|1.2.0"
        )
    elsewhere = SourceFile("elsewhere.json", json.dumps(exported).encode("utf-8"))
    conversion = convert([elsewhere], System.FHIR, instrument=instrument)
    assert rows(conversion, instrument) == expected_rows(instrument)
    exported["entry"][1]["resource"]["questionnaire"] = (
        "https://fhir.trust.nhs.uk/Questionnaire/IMH-Odd.v2|1.0.0"
    )
    older = SourceFile("older.json", json.dumps(exported).encode("utf-8"))
    with pytest.raises(DataFormatError) as caught:
        convert([older], System.FHIR, instrument=instrument)
    (problem,) = caught.value.problems
    assert problem.file == "older.json"
    assert "IMH-Odd.v2|1.0.0" in problem.message and "entry 2" in problem.message
