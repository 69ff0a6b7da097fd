"""An organisation's stored service figures as the core's :class:`~imheval.services.ServiceData`.

Kept apart from the forms so the results page (web/results/snapshots.py) can put the level 4
service figures into an organisation's report without importing the workforce pages.
"""

from __future__ import annotations

from imheval.services import ServiceData, rows_from_cells
from imheval.web.organisations.models import Organisation
from imheval.web.workforce.services_models import ServiceFigure, ServiceTraining


def figure_cells(figure: ServiceFigure) -> dict[str, str]:
    """A stored figure as the cells of a service-data file."""
    return {
        "service": figure.service,
        "period": figure.period,
        "measure": figure.measure,
        "value": repr(figure.value),
        "denominator": "" if figure.denominator is None else str(figure.denominator),
        "kind": figure.kind,
        "barr_level": figure.barr_level,
        "unit": figure.unit,
    }


def organisation_service_data(organisation: Organisation) -> ServiceData:
    """Every figure of ``organisation`` and its services' training dates, as the core's data.

    Stored figures passed the core's checks when saved; should one not pass now (a catalogue
    change), DataFormatError says which."""
    figures = ServiceFigure.objects.in_organisation(organisation).order_by("pk")  # type: ignore[attr-defined]
    cells = [(figure.pk, figure_cells(figure)) for figure in figures]
    rows = rows_from_cells(cells, "saved service data") if cells else ()
    training = {
        t.service: t.trained_on
        for t in ServiceTraining.objects.in_organisation(organisation)  # type: ignore[attr-defined]
    }
    return ServiceData(rows, source=organisation.name).with_training(None, training)
