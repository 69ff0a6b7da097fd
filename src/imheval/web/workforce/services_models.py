"""Level-4 service data kept by an organisation: one figure per service, measure and period,
and the date training began in each service (:mod:`imheval.services` is the core that reads
and analyses them; :mod:`.services_adapter` turns these rows into its types).

Figures are aggregates (counts, proportions' numerators and denominators, means), never about
a named person. Both models are audited (``AUDIT_FIELDS``) and scoped to their organisation.
"""

from __future__ import annotations

from django.db import models

from imheval.web.organisations.models import Organisation, scoped_manager


class ServiceFigure(models.Model):
    """One service's figure for one measure in one period (a month "2025-04" or a quarter
    "2025-Q2"). A measure not in the core's catalogue keeps its kind, Barr level and unit."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="service_figures"
    )
    service = models.CharField(max_length=200)
    measure = models.CharField(max_length=200)
    period = models.CharField(max_length=7)
    value = models.FloatField()
    denominator = models.PositiveIntegerField(null=True, blank=True)
    kind = models.CharField(max_length=12, blank=True)
    barr_level = models.CharField(max_length=2, blank=True)
    unit = models.CharField(max_length=60, blank=True)

    objects = scoped_manager("organisation")
    AUDIT_FIELDS = ("service", "measure", "period", "value", "denominator")

    class Meta:
        ordering = ["organisation", "service", "measure", "period"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "service", "measure", "period"],
                name="service_figure_once_a_period",
            )
        ]

    def __str__(self) -> str:
        return f"{self.service}: {self.measure} {self.period} = {self.value:g}"

    @property
    def audit_organisation(self) -> Organisation:
        return self.organisation


class ServiceTraining(models.Model):
    """The date training began in one of the organisation's services."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="service_training"
    )
    service = models.CharField(max_length=200)
    trained_on = models.DateField()

    objects = scoped_manager("organisation")
    AUDIT_FIELDS = ("service", "trained_on")

    class Meta:
        ordering = ["organisation", "service"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "service"], name="service_training_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.service}: training began {self.trained_on}"

    @property
    def audit_organisation(self) -> Organisation:
        return self.organisation
