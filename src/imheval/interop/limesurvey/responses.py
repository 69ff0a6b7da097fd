"""Reading LimeSurvey response exports (CSV) into imheval responses."""

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
    """The responses in LimeSurvey CSV response exports."""
    raise NotImplementedError

