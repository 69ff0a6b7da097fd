"""Reading Microsoft Forms response downloads (Excel or CSV)."""

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
    sources: Sequence[SourceFile], structure: InstrumentImport | None, options: ResponseOptions
) -> Conversion:
    """The responses in Microsoft Forms downloads, and the instrument: inferred from the
    questions (and a quiz's points) when ``structure`` is None."""
    raise NotImplementedError

