"""Instruments (questionnaires) as data: the model, the YAML loader and the built-in bank.

``resolve_instrument("imh-core")`` gives a built-in instrument; ``load_instrument(path)`` reads a
trainer's own file. See docs/instruments.md for the file format.
"""

from imheval.instruments.bank import get_builtin, list_builtin, resolve_instrument
from imheval.instruments.loader import load_instrument, load_instrument_text
from imheval.instruments.model import (
    Domain,
    Instrument,
    KeyedItem,
    OpenItem,
    RatingItem,
    RatingScale,
    TrainingLevel,
)

__all__ = [
    "Domain",
    "Instrument",
    "KeyedItem",
    "OpenItem",
    "RatingItem",
    "RatingScale",
    "TrainingLevel",
    "get_builtin",
    "list_builtin",
    "load_instrument",
    "load_instrument_text",
    "resolve_instrument",
]
