"""The built-in bank: instruments shipped with imheval as YAML files in ``instruments/bank/``.

Each file is named after the instrument's id (``imh-core.yaml`` holds ``id: imh-core``). The
files are read once per process; callers get their own copies, so nothing a caller does to one
can leak into another.

:func:`resolve_instrument` lives here, not in the loader: it chooses between the bank and a
file, so it sits above both, and the loader never needs the bank (no import cycle).
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

from imheval.errors import UnknownInstrumentError
from imheval.instruments.loader import YAML_SUFFIXES, load_instrument, load_instrument_text
from imheval.instruments.model import Instrument

_BANK_PACKAGE = "imheval.instruments"
_BANK_FOLDER = "bank"


@cache
def _bank() -> dict[str, Instrument]:
    folder = resources.files(_BANK_PACKAGE).joinpath(_BANK_FOLDER)
    instruments: dict[str, Instrument] = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(YAML_SUFFIXES):
            continue
        instrument = load_instrument_text(
            entry.read_text(encoding="utf-8"), source=f"built-in bank/{entry.name}"
        )
        instruments[instrument.id] = instrument
    return dict(sorted(instruments.items()))


def builtin_ids() -> list[str]:
    """The ids of the built-in instruments, sorted."""
    return list(_bank())


def list_builtin() -> list[Instrument]:
    """Every built-in instrument, sorted by id.

    Raises :class:`~imheval.errors.InstrumentError` only if a bank file is broken (a packaging
    fault, caught by the test suite).
    """
    return [instrument.model_copy(deep=True) for instrument in _bank().values()]


def get_builtin(instrument_id: str) -> Instrument:
    """The built-in instrument with this id.

    Raises :class:`~imheval.errors.UnknownInstrumentError`, listing the available ids, when there
    is none.
    """
    try:
        return _bank()[instrument_id].model_copy(deep=True)
    except KeyError:
        raise UnknownInstrumentError(
            f"there is no built-in instrument '{instrument_id}'; "
            f"built-in instruments: {', '.join(builtin_ids())}"
        ) from None


def resolve_instrument(ref: str | Path) -> Instrument:
    """The instrument ``ref`` names: a built-in bank id (e.g. ``imh-core``) or a file path.

    Raises :class:`UnknownInstrumentError` (listing the built-in ids) when ``ref`` is neither,
    and :class:`~imheval.errors.InstrumentError` when it is a file that is not a valid instrument.
    """
    if isinstance(ref, str) and ref in builtin_ids():
        return get_builtin(ref)
    path = Path(ref)
    if path.is_file():
        return load_instrument(path)
    raise UnknownInstrumentError(
        f"'{ref}' is neither a built-in instrument nor an instrument file; "
        f"built-in instruments: {', '.join(builtin_ids())}"
    )
