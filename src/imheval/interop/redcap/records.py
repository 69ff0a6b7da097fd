"""Reading REDCap flat record exports into imheval responses."""

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


def read_records(
    sources: Sequence[SourceFile], structure: InstrumentImport, options: ResponseOptions
) -> ResponsesImport:
    """The responses in REDCap flat record exports (raw codes or labels)."""
    raise NotImplementedError


def read_event_mapping(source: SourceFile) -> dict[str, str]:
    """A mapping file: REDCap unique event name → timepoint (two columns, event and timepoint)."""
    raise NotImplementedError

