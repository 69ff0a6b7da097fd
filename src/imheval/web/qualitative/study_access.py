"""Who reaches a qualitative study's pages, and who may change what.

Every page goes through :data:`organisation_page` (the shared door,
``organisations.access.organisation_views``): sign-in, 404 for outsiders, each object in the
address loaded from the member's organisation only. An object named in an address must also
belong to the study named there (:func:`of_study`), or the answer is 404.

Reading needs only membership. Importing, coding and building themes is for analysts,
evaluators and admins (``code_qualitative``); the second reviewer's decisions are for reviewers
too (``review_qualitative``); everyone else gets 403 with a plain reason.

Blind coding (:func:`is_blind`): while a codebook study's coders code blind, every page and
download that shows codings reads them through :func:`seen_codings` (directly, or through
``adapter.project_for(study, viewer=...)``), which keeps only the viewer's own.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404

from imheval.web.organisations.access import Access, organisation_views
from imheval.web.qualitative.models import (
    Approach,
    Code,
    Coder,
    Coding,
    Memo,
    PhaseEntry,
    Review,
    Source,
    Speaker,
    Study,
)

#: Address parts that name an organisation's object, and the model each is loaded from.
SCOPED_OBJECTS: dict[str, type[Model]] = {
    "study": Study,
    "source": Source,
    "speaker": Speaker,
    "code": Code,
    "coder": Coder,
    "coding": Coding,
    "memo": Memo,
    "phase": PhaseEntry,
    "review": Review,
}

organisation_page = organisation_views(SCOPED_OBJECTS)

CODE = "code_qualitative"
REVIEW = "review_qualitative"

_WHO = {
    CODE: "the organisation's analysts, evaluators and admins",
    REVIEW: "the organisation's reviewers, analysts, evaluators and admins",
}
_WHAT = {CODE: "change this study", REVIEW: "review this study's themes"}


def may(access: Access, action: str) -> bool:
    """Whether the member may take ``action`` (:data:`CODE` or :data:`REVIEW`)."""
    return access.may(action)


def require(access: Access, action: str) -> None:
    """403, with the reason, unless the member may take ``action``."""
    if not access.may(action):
        raise PermissionDenied(
            f"Only {_WHO[action]} can {_WHAT[action]}. "
            f"Your role is {access.membership.get_role_display()}."
        )


def _study_id(thing: Any) -> int | None:
    for path in ("study_id", "source", "code", "coding"):
        value = getattr(thing, path, None)
        if path == "study_id" and value is not None:
            return int(value)
        if path != "study_id" and value is not None:
            return _study_id(value)
    return None


def of_study(study: Study, *objects: Any) -> None:
    """404 unless each object belongs to ``study`` (all are already in the organisation; this
    stops one study's address reaching another study's rows)."""
    for thing in objects:
        if thing is not None and _study_id(thing) != study.pk:
            raise Http404("No such item in this study")


# ---------------------------------------------------------------------------- blind coding

#: ``viewer`` for what must read every coder's codings whoever asks: the comparison (which
#: shows only counts until it is opened), the command line and the reports' own checks.
EVERY_CODER = "every coder"


def is_blind(study: Study) -> bool:
    """Whether coders see only their own codings (codebook study, blind, comparison not open)."""
    return (
        study.approach == Approach.CODEBOOK
        and study.blind_coding
        and study.comparison_opened_at is None
    )


def seen_codings(study: Study, viewer: Any) -> QuerySet[Coding]:
    """The study's codings ``viewer`` (a user, or :data:`EVERY_CODER`) may see: every one,
    except while coding is blind, when only the viewer's own (none for someone who is not one
    of its coders)."""
    rows = Coding.objects.filter(source__study=study)
    if viewer is EVERY_CODER or not is_blind(study):
        return rows
    if getattr(viewer, "pk", None) is None:
        return rows.none()
    return rows.filter(coder__user=viewer)


def blind_notice(study: Study, viewer: Any, what: str) -> str:
    """What a page says while coding is blind (else ""): ``what`` ("this page shows") holds
    only the viewer's own codings, or, for someone who is not a coder, none."""
    if not is_blind(study):
        return ""
    if Coder.objects.filter(study=study, user=viewer).exists():
        return (
            f"Coding is blind until the comparison is opened, so {what} only your own codings; "
            "the other coders' are hidden until then."
        )
    return (
        f"Coding is blind until the comparison is opened, so {what} no codings: the coders' "
        "codings are hidden until then."
    )
