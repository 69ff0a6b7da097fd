"""Where a region's changes are logged: a region has no audit log of its own (and no model
for one), so each change is written to the audit log of the organisations it concerns.

* Inviting or removing an organisation, and its admins turning sharing on or off, change its
  :class:`~imheval.web.workforce.models.RegionMember` row, which is audited like every
  organisation's object (signals): the entry lands in that organisation's log only.
* Giving or taking a regional role, and adding, changing, deleting or importing regional
  targets, concern every member: a role decides who reads what they share, a target what they
  are measured against. :func:`record_region_change` writes one entry to the log of EVERY
  member organisation (invited or sharing), in one insert. It names the region, the user name
  given a role and the role, or the target's team and level: never another organisation's
  data.
"""

from __future__ import annotations

from typing import Any

from imheval.web.organisations.audit import current_actor
from imheval.web.organisations.models import AuditEvent
from imheval.web.workforce.models import Region, RegionMember

#: The object types a region's changes are logged as.
REGIONAL_ROLE = "regional role"
REGIONAL_TARGET = "regional target"


def record_region_change(
    region: Region,
    *,
    action: str,
    object_type: str,
    object_id: object,
    label: str,
    changes: dict[str, Any],
) -> int:
    """Log ``action`` ("created", "updated" or "deleted") on a region's object by the current
    actor in every member organisation's audit log; how many entries were written."""
    user, actor_label = current_actor.get()
    organisation_ids = RegionMember.objects.filter(region=region).values_list(
        "organisation_id", flat=True
    )
    events = [
        AuditEvent(
            organisation_id=organisation_id,
            actor=user if getattr(user, "pk", None) else None,
            actor_label=actor_label[:150],
            action=action,
            object_type=object_type,
            object_id=str(object_id)[:40],
            object_label=f"{region.name}: {label}"[:250],
            changes=changes,
        )
        for organisation_id in organisation_ids
    ]
    AuditEvent.objects.bulk_create(events)
    return len(events)
