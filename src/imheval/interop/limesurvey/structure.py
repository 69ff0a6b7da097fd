"""Reading a LimeSurvey survey structure (.lss) into an instrument."""

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


def read_structure(source: SourceFile) -> InstrumentImport:
    """The instrument a LimeSurvey .lss (or .lsg) file describes."""
    raise NotImplementedError

