"""Writing an imheval instrument as a REDCap data dictionary (and instrument ZIP)."""

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


def write_dictionary(instrument: Instrument) -> str:
    """The 18-column REDCap data dictionary (CSV text) of ``instrument``, with calc fields that
    score it."""
    raise NotImplementedError


def write_instrument_zip(instrument: Instrument) -> bytes:
    """A REDCap shared-instrument ZIP (instrument.csv) of ``instrument``."""
    raise NotImplementedError

