"""Writing an imheval instrument as a LimeSurvey survey structure (.lss)."""

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


def write_lss(instrument: Instrument) -> str:
    """The .lss (XML text) of ``instrument``, with assessment values that score it."""
    raise NotImplementedError

