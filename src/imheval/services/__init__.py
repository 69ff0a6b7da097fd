"""Kirkpatrick level 4 (Barr 4a and 4b) as aggregate service data.

An organisation's counts per service and period (assessments with an infant relationship
section, referrals to parent-infant services, waiting times ...), read from CSV or XLSX
(:mod:`.read`) or entered on the web, and shown before and after training
(:mod:`.analysis`): means per period, the difference, and an interrupted time series only when
there are enough periods, always with the caution that this is not evidence the training caused
a change. The core of it never imports Django.
"""

from imheval.services.analysis import CAUTION, ServiceSeries, ServiceSummary, summarise
from imheval.services.model import (
    CATALOGUE,
    Measure,
    Period,
    ServiceData,
    ServiceRow,
    parse_period,
    parse_training_date,
)
from imheval.services.read import read_service_data, rows_from_cells, template_bytes

__all__ = [
    "CATALOGUE",
    "CAUTION",
    "Measure",
    "Period",
    "ServiceData",
    "ServiceRow",
    "ServiceSeries",
    "ServiceSummary",
    "parse_period",
    "parse_training_date",
    "read_service_data",
    "rows_from_cells",
    "summarise",
    "template_bytes",
]
