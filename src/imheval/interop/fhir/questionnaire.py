"""Reading a FHIR R4/R5 Questionnaire (JSON) into an instrument."""

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


def read_questionnaire(source: SourceFile) -> InstrumentImport:
    """The instrument a FHIR Questionnaire describes."""
    raise NotImplementedError

