"""Reading FHIR QuestionnaireResponse resources (one, or a Bundle) into imheval responses."""

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


def read_responses(
    sources: Sequence[SourceFile], structure: InstrumentImport, options: ResponseOptions
) -> ResponsesImport:
    """The responses in FHIR QuestionnaireResponse files (one resource or a Bundle each)."""
    raise NotImplementedError

