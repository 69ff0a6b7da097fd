"""Writing an imheval instrument as a FHIR R4 Questionnaire (JSON)."""

from __future__ import annotations

from collections.abc import Sequence

from imheval.instruments import Instrument
from imheval.interop.model import (
    Conversion,
    InstrumentImport,
    ResponseOptions,
    ResponsesImport,
    SourceFile,
)

__all__ = ["Conversion", "Instrument", "InstrumentImport", "ResponseOptions", "ResponsesImport",
           "Sequence", "SourceFile"]


def write_questionnaire(instrument: Instrument) -> str:
    """The FHIR R4 Questionnaire (JSON text) of ``instrument``, with ordinalValue scores."""
    raise NotImplementedError

