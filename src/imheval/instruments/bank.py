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
from importlib.resources.abc import Traversable
from pathlib import Path

from imheval.errors import UnknownInstrumentError
from imheval.instruments.loader import YAML_SUFFIXES, load_instrument, load_instrument_text
from imheval.instruments.model import Instrument

_BANK_PACKAGE = "imheval.instruments"
_BANK_FOLDER = "bank"
_VERSIONS_FOLDER = "versions"

#: Separates an instrument id from a version in a reference: ``imh-core@1.0.0``.
VERSION_MARK = "@"


def _read_folder(folder: Traversable, label: str) -> list[Instrument]:
    return [
        load_instrument_text(entry.read_text(encoding="utf-8"), source=f"{label}/{entry.name}")
        for entry in sorted(folder.iterdir(), key=lambda e: e.name)
        if entry.name.endswith(YAML_SUFFIXES)
    ]


@cache
def _bank() -> dict[str, Instrument]:
    """The current version of every built-in instrument, by id."""
    folder = resources.files(_BANK_PACKAGE).joinpath(_BANK_FOLDER)
    instruments = {i.id: i for i in _read_folder(folder, "built-in bank")}
    return dict(sorted(instruments.items()))


@cache
def _versions() -> dict[tuple[str, str], Instrument]:
    """Every version of every built-in instrument, current and earlier, by (id, version).

    Earlier versions live in ``bank/versions/`` (``imh-core-1.0.0.yaml``) so that data collected
    with them can still be scored with the questions people were asked.
    """
    folder = resources.files(_BANK_PACKAGE).joinpath(_BANK_FOLDER).joinpath(_VERSIONS_FOLDER)
    earlier = _read_folder(folder, "built-in bank/versions") if folder.is_dir() else []
    versions = {(i.id, i.version): i for i in earlier}
    versions.update({(i.id, i.version): i for i in _bank().values()})
    return versions


def builtin_ids() -> list[str]:
    """The ids of the built-in instruments, sorted."""
    return list(_bank())


def builtin_versions(instrument_id: str) -> list[str]:
    """The versions the bank holds of one built-in instrument, oldest first ("1.0.0" before
    "1.1.0" before "2.0.0"); a version may be newer than the current one while it is staged."""
    return sorted((v for i, v in _versions() if i == instrument_id), key=_version_key)


def _version_key(version: str) -> tuple[tuple[int, int | str], ...]:
    """A version's natural order: numbers as numbers ("1.10" after "1.9"), other parts as text."""
    return tuple((0, int(part)) if part.isdigit() else (1, part) for part in version.split("."))


def split_ref(ref: str) -> tuple[str, str | None]:
    """``imh-core@1.0.0`` as ``("imh-core", "1.0.0")``; a plain id as ``(id, None)``."""
    instrument_id, mark, version = ref.partition(VERSION_MARK)
    return (instrument_id, version) if mark and version else (instrument_id, None)


def is_builtin_ref(ref: str) -> bool:
    """Whether ``ref`` names a built-in instrument (any version the bank holds)."""
    instrument_id, version = split_ref(ref)
    if version is None:
        return instrument_id in _bank()
    return (instrument_id, version) in _versions()


def list_builtin() -> list[Instrument]:
    """The current version of every built-in instrument, sorted by id.

    Raises :class:`~imheval.errors.InstrumentError` only if a bank file is broken (a packaging
    fault, caught by the test suite).
    """
    return [instrument.model_copy(deep=True) for instrument in _bank().values()]


def get_builtin(ref: str, version: str | None = None) -> Instrument:
    """The built-in instrument ``ref`` names: its current version, or the version given (in
    ``version`` or as ``id@version``), for re-scoring data collected with an earlier one.

    Raises :class:`~imheval.errors.UnknownInstrumentError`, listing the available ids or
    versions, when there is none.
    """
    instrument_id, named = split_ref(ref)
    version = version or named
    if instrument_id not in _bank():
        raise UnknownInstrumentError(
            f"there is no built-in instrument '{instrument_id}'; "
            f"built-in instruments: {', '.join(builtin_ids())}"
        )
    if version is None:
        return _bank()[instrument_id].model_copy(deep=True)
    try:
        return _versions()[(instrument_id, version)].model_copy(deep=True)
    except KeyError:
        raise UnknownInstrumentError(
            f"the built-in instrument '{instrument_id}' has no version '{version}'; "
            f"versions: {', '.join(builtin_versions(instrument_id))}; the current one is "
            f"{_bank()[instrument_id].version}"
        ) from None


def resolve_instrument(ref: str | Path) -> Instrument:
    """The instrument ``ref`` names: a built-in bank id (e.g. ``imh-core``, its current version,
    or ``imh-core@1.0.0``, an earlier one) or a file path.

    Raises :class:`UnknownInstrumentError` (listing the built-in ids) when ``ref`` is neither,
    and :class:`~imheval.errors.InstrumentError` when it is a file that is not a valid instrument.
    """
    if isinstance(ref, str) and split_ref(ref)[0] in builtin_ids():
        return get_builtin(ref)
    path = Path(ref)
    if path.is_file():
        return load_instrument(path)
    raise UnknownInstrumentError(
        f"'{ref}' is neither a built-in instrument nor an instrument file; "
        f"built-in instruments: {', '.join(builtin_ids())}"
    )
