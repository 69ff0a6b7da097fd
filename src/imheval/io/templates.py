"""Template files for entering responses: the right columns for some instruments, one sample row.

A template is the tidy layout the reader reads (docs/data-format.md): the reserved columns
participant, cohort, programme, timepoint, directorate and profession, then one column per
item of the instruments, in their order. Its one row shows what a cell holds: a made-up
anonymous code, the timepoint, and a valid answer to every item (a keyed item's first option
code, a rating item's middle point), so a person can see the format, overwrite the row and
add their own. For instruments with parallel forms the template has a ``form`` column, and
the sample row is on the first form (the other form's questions blank), as a response is.
A retrospective rating item also gets its then column, ``<item>@then``, after the items
(answered in the sample row only when the template is for the post-test, where it is asked).
Written with the same writers as exports (:mod:`imheval.io.writers`), so CSV
formulas are neutralised and XLSX cells are text.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final, Literal

import pandas as pd

from imheval.instruments.model import Instrument, KeyedItem, RatingItem
from imheval.io.table import (
    FORM,
    RESERVED_COLUMNS,
    SOURCE_ROW,
    TIMEPOINTS,
    ResponseTable,
    then_column,
)
from imheval.io.writers import csv_bytes, xlsx_bytes

#: The made-up code of the sample row (no real person's code looks like it).
SAMPLE_CODE: Final = "SAMPLE01"

TemplateFormat = Literal["csv", "xlsx"]


def response_template(
    instruments: Sequence[Instrument],
    *,
    timepoint: str = "pre",
    cohort: str = "Cohort 1",
    programme: str = "",
) -> ResponseTable:
    """A one-row table with the columns of ``instruments`` (header = its columns).

    An item id in two instruments gets one column. Raises ``ValueError`` when no instrument is
    given or ``timepoint`` is not one of :data:`~imheval.io.table.TIMEPOINTS`.

    Examples:
        >>> from imheval.instruments import resolve_instrument
        >>> table = response_template([resolve_instrument("imh-core")])
        >>> table.item_columns[:3]
        ('K1', 'K2', 'K3')
        >>> table.frame.loc[0, "K1"], table.frame.loc[0, "S1"]
        ('a', '3')
    """
    if not instruments:
        raise ValueError("a template needs at least one instrument")
    if timepoint not in TIMEPOINTS:
        raise ValueError(f"timepoint must be one of {', '.join(TIMEPOINTS)}, not {timepoint!r}")
    forms = [form for instrument in instruments for form in instrument.form_ids]
    answers: dict[str, str] = {}
    for instrument in instruments:
        asked = {i.id for i in instrument.form_items(forms[0])} if forms else None
        for item in instrument.items:
            sample_answer = _sample_answer(instrument, item)
            answers.setdefault(item.id, sample_answer if asked is None or item.id in asked else "")
    thens = {
        then_column(item.id): answers[item.id] if timepoint == "post" else ""
        for instrument in instruments
        for item in instrument.items
        if isinstance(item, RatingItem) and item.retrospective
    }
    sample: dict[str, str | int] = {
        "participant": SAMPLE_CODE,
        "cohort": cohort,
        "programme": programme,
        "timepoint": timepoint,
        "directorate": "",
        "profession": "",
    }
    form = {FORM: forms[0]} if forms else {}
    row = {**sample, **form, SOURCE_ROW: 2, **answers, **thens}
    columns = [*RESERVED_COLUMNS, *form, SOURCE_ROW, *answers, *thens]
    frame = pd.DataFrame([row], columns=columns)
    return ResponseTable(
        frame=frame,
        source="template",
        layout="tidy",
        item_columns=tuple(answers),
        then_columns=tuple(thens),
    )


def template_bytes(
    instruments: Sequence[Instrument],
    kind: TemplateFormat,
    *,
    timepoint: str = "pre",
    cohort: str = "Cohort 1",
    programme: str = "",
) -> bytes:
    """:func:`response_template` as a CSV (UTF-8 with a byte-order mark) or XLSX file."""
    table = response_template(instruments, timepoint=timepoint, cohort=cohort, programme=programme)
    if kind == "csv":
        return csv_bytes(table)
    if kind == "xlsx":
        return xlsx_bytes(table)
    raise ValueError(f"a template is a csv or xlsx file, not {kind!r}")


def _sample_answer(instrument: Instrument, item: KeyedItem | RatingItem) -> str:
    if isinstance(item, KeyedItem):
        return next(iter(item.options))
    scale = instrument.scales[item.scale]
    return str((scale.min + scale.max) // 2)
