"""Can instruments be scored together? Their answers go into one table, so instrument, item and
domain ids must not clash, nor a domain id take a reserved column's name.

:func:`check_scored_together` is also :mod:`imheval.scoring`'s, where scoring calls it; the web
app calls it before a questionnaire is opened.
"""

from __future__ import annotations

from collections.abc import Sequence

from imheval.errors import InstrumentError, Problem
from imheval.instruments.model import Instrument
from imheval.io.table import RESERVED_COLUMNS, SOURCE_ROW


def check_scored_together(instruments: Sequence[Instrument]) -> None:
    """Check that ``instruments`` can be scored together: instrument, item and domain ids unique.

    Raises :class:`InstrumentError` listing every clash. The web app checks a questionnaire's
    instruments with it before anyone answers, so answers to two questions with one id are
    never stored together.
    """
    problems: list[Problem] = []
    item_owner: dict[str, str] = {}
    domain_owner: dict[str, str] = {}
    seen_instruments: set[str] = set()
    for instrument in instruments:
        where = f"instrument '{instrument.id}'"
        if instrument.id in seen_instruments:
            problems.append(Problem(file=where, message="the instrument is given twice"))
            continue
        seen_instruments.add(instrument.id)
        for domain in instrument.domains:
            if domain.id in RESERVED_COLUMNS or domain.id == SOURCE_ROW:
                problems.append(
                    Problem(
                        file=where,
                        message=f"domain id '{domain.id}' is a reserved column name; rename it",
                    )
                )
            if domain.id in domain_owner:
                problems.append(
                    Problem(
                        file=where,
                        message=(
                            f"domain '{domain.id}' is also a domain of instrument "
                            f"'{domain_owner[domain.id]}'; domain ids must differ between "
                            "instruments scored together"
                        ),
                    )
                )
            else:
                domain_owner[domain.id] = instrument.id
        # Open questions too: every answer is stored under its question's id.
        for item in instrument.questions:
            if item.id in item_owner:
                problems.append(
                    Problem(
                        file=where,
                        item=item.id,
                        message=(
                            f"item '{item.id}' is also an item of instrument "
                            f"'{item_owner[item.id]}'; item ids must differ between "
                            "instruments scored together"
                        ),
                    )
                )
            else:
                item_owner[item.id] = instrument.id
    if problems:
        raise InstrumentError(problems)
