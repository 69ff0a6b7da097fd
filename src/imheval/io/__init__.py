"""Reading responses from CSV and XLSX (tidy or wide layout) into one :class:`ResponseTable`."""

from imheval.io.table import RESERVED_COLUMNS, SOURCE_ROW, TIMEPOINTS, ResponseTable

__all__ = ["RESERVED_COLUMNS", "SOURCE_ROW", "TIMEPOINTS", "ResponseTable"]
