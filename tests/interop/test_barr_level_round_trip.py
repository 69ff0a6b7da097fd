"""A domain's Barr level (2a ... 4b) survives every interop format, and an untagged domain
stays untagged; the writer keeps it in YAML."""

from __future__ import annotations

import pytest

from imheval.instruments import Instrument, get_builtin, load_instrument_text
from imheval.instruments.writer import instrument_to_yaml
from imheval.interop.fhir.export import write_questionnaire
from imheval.interop.fhir.questionnaire import read_questionnaire
from imheval.interop.limesurvey.export import write_lss
from imheval.interop.limesurvey.structure import read_structure
from imheval.interop.model import SourceFile
from imheval.interop.redcap.dictionary import read_dictionary
from imheval.interop.redcap.export import write_dictionary


def _fhir(instrument: Instrument) -> Instrument:
    text = write_questionnaire(instrument)
    return read_questionnaire(SourceFile("q.json", text.encode("utf-8"))).instrument


def _lss(instrument: Instrument) -> Instrument:
    text = write_lss(instrument)
    return read_structure(SourceFile(f"{instrument.id}.lss", text.encode("utf-8"))).instrument


def _redcap(instrument: Instrument) -> Instrument:
    data = write_dictionary(instrument).encode("utf-8")
    return read_dictionary(SourceFile(name="dictionary.csv", data=data)).instrument


def _yaml(instrument: Instrument) -> Instrument:
    return load_instrument_text(instrument_to_yaml(instrument))


def _levels(instrument: Instrument) -> dict[str, tuple[int, str | None]]:
    return {d.id: (d.kirkpatrick_level, d.barr_level) for d in instrument.domains}


@pytest.mark.parametrize("round_trip", [_fhir, _lss, _redcap, _yaml], ids=lambda f: f.__name__)
def test_barr_levels_of_the_followup_instrument_come_back(round_trip) -> None:  # type: ignore[no-untyped-def]
    instrument = get_builtin("imh-practice-followup")
    assert _levels(round_trip(instrument)) == {"practice": (3, "3a"), "enablers": (3, "3a")}


@pytest.mark.parametrize("round_trip", [_fhir, _lss, _redcap, _yaml], ids=lambda f: f.__name__)
def test_an_untagged_domain_comes_back_untagged(round_trip) -> None:  # type: ignore[no-untyped-def]
    instrument = get_builtin("imh-reaction")
    assert _levels(round_trip(instrument)) == {"reaction": (1, None)}


def test_yaml_writes_barr_level_beside_the_kirkpatrick_level() -> None:
    text = instrument_to_yaml(get_builtin("imh-practice-followup"))
    assert "kirkpatrick_level: 3\n    barr_level: 3a\n" in text
