"""Reading a REDCap data dictionary (CSV, or a shared-instrument ZIP) into an instrument."""

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


def read_dictionary(source: SourceFile) -> InstrumentImport:
    """The instrument a REDCap data dictionary (CSV) or instrument ZIP describes."""
    raise NotImplementedError

