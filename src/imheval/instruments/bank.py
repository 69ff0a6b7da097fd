"""The built-in bank: instruments shipped with imheval as YAML files in ``instruments/bank/``.

Each file is named after the instrument's id (``imh-core.yaml`` holds ``id: imh-core``). The
files are read once per process; callers get their own copies, so nothing a caller does to one
can leak into another.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from imheval.errors import UnknownInstrumentError
from imheval.instruments.loader import YAML_SUFFIXES, load_instrument_text
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
