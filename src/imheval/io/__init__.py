"""Reading responses from CSV and XLSX (tidy or wide layout) into one :class:`ResponseTable`,
and writing one back out as CSV, XLSX or SPSS .sav (:mod:`imheval.io.writers`)."""

from imheval.io._sheet import work_size
from imheval.io.reader import SINGLE_COHORT, Reading, check_responses, read_responses
from imheval.io.table import (
    RESERVED_COLUMNS,
    SOURCE_ROW,
    TIMEPOINTS,
    ResponseTable,
    normalise_code,
    normalise_codes,
)
from imheval.io.writers import write_responses

__all__ = [
    "RESERVED_COLUMNS",
    "SINGLE_COHORT",
    "SOURCE_ROW",
    "TIMEPOINTS",
    "Reading",
    "ResponseTable",
    "check_responses",
    "normalise_code",
    "normalise_codes",
    "read_responses",
    "work_size",
    "write_responses",
]
