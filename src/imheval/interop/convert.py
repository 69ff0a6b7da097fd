"""One entry point over every system: read a structure file, convert exports, write the result
in imheval's own layout, and export an instrument to another system."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from imheval.instruments import Instrument
from imheval.interop.model import (
    Conversion,
    InstrumentImport,
    ResponseOptions,
    SourceFile,
    System,
)


@dataclass(frozen=True)
class Exported:
    """An instrument written for another system: a file name, its media type and bytes."""

    filename: str
    media_type: str
    data: bytes


def read_structure(system: System, source: SourceFile) -> InstrumentImport:
    """The instrument in ``system``'s structure file (not Microsoft Forms, which has none)."""
    raise NotImplementedError


def export_instrument(instrument: Instrument, system: System) -> Exported:
    """``instrument`` as ``system``'s structure file (not Microsoft Forms)."""
    raise NotImplementedError


def convert(
    sources: Sequence[SourceFile],
    system: System,
    *,
    structure: SourceFile | None = None,
    instrument: Instrument | None = None,
    options: ResponseOptions | None = None,
) -> Conversion:
    """Read ``sources`` (exports of ``system``) with the structure file, or with an imheval
    ``instrument`` the data was captured with; without either, Forms infers the questionnaire
    and the other systems refuse with a message saying which file to add."""
    raise NotImplementedError


def apply_keys(structure: InstrumentImport, keys: Mapping[str, Sequence[str]]) -> InstrumentImport:
    """``structure`` with each unkeyed question named in ``keys`` (by its source name or item
    id) made a keyed item with those answer codes (or labels) as its key. A name that is not an
    unkeyed question, or a code that is not one of its options, is an InstrumentError naming
    it and listing what it could be."""
    raise NotImplementedError


def write_conversion(conversion: Conversion, out: Path) -> tuple[Path, Path]:
    """Write ``out``/responses.csv (tidy layout) and ``out``/instrument.yaml; their paths."""
    raise NotImplementedError
