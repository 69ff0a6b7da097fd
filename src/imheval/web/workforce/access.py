"""Who reaches an organisation's workforce pages, and who may change what.

Every page goes through :data:`organisation_page` (the shared door,
``organisations.access.organisation_views``): sign-in, 404 for outsiders, each object in the
address loaded from the member's organisation only. Objects named in an address must also
belong to the parent named there (:func:`of_parent`), or the answer is 404.

Reading needs only membership. The establishment, requirements, births, settings, places and
the training register are changed by admins and evaluators (``edit_programmes``); a cohort's
register also by trainers (``edit_cohorts``: they run the course). Sharing with a region is
the organisation's admins' decision (``edit_organisation``).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Model
from django.http import Http404

from imheval.web.organisations.access import organisation_views
from imheval.web.workforce.models import (
    BirthsYear,
    EarlierTraining,
    Establishment,
    EstablishmentRow,
    LevelRequirement,
    PlacesYear,
    RegionMember,
    Trainee,
    TrajectoryPoint,
)
from imheval.web.workspace.models import Cohort, Programme

#: Address parts that name an organisation's object, and the model each is loaded from.
SCOPED_OBJECTS: dict[str, type[Model]] = {
    "programme": Programme,
    "cohort": Cohort,
    "trainee": Trainee,
    "places": PlacesYear,
    "earlier": EarlierTraining,
    "establishment": Establishment,
    "post": EstablishmentRow,
    "requirement": LevelRequirement,
    "point": TrajectoryPoint,
    "births": BirthsYear,
    "region_member": RegionMember,
}

#: Address parts passed through as they are (they name nothing owned).
PLAIN = ("year", "file_format")

organisation_page = organisation_views(SCOPED_OBJECTS, plain_kwargs=PLAIN)

#: The action that changes the establishment, requirements, births, settings and places.
EDIT_WORKFORCE = "edit_programmes"
#: The action that changes a cohort's training register.
EDIT_REGISTER = "edit_cohorts"
#: The action that turns sharing with a region on or off.
SHARE_WITH_REGION = "edit_organisation"


def of_parent(parent: Any, *objects: Any, field: str) -> None:
    """404 unless each object's ``field`` (e.g. ``"cohort_id"``) is ``parent``'s key: stops one
    cohort's address reaching another cohort's trainee."""
    for thing in objects:
        if getattr(thing, field) != parent.pk:
            raise Http404("No such object here")
