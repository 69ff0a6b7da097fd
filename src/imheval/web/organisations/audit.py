"""The audit log: every change to programmes, cohorts, collections, instruments and responses.

Changes are recorded by model signals, so a change made anywhere (our pages, the Django admin,
the demo loader, a shell) is logged the same way. The actor comes from :data:`current_actor`,
which :class:`~imheval.web.organisations.middleware.AuditActorMiddleware` sets for each request
and :func:`acting_as` sets for code outside a request.

A model is audited when it defines:

* ``audit_organisation`` (property): the organisation that owns it;
* ``AUDIT_FIELDS``: the fields whose changes are logged with old and new values;
* optionally ``AUDIT_VALUES = False`` to log only the names of changed fields (responses: the
  log never copies answers or anonymous codes);
* optionally ``audit_skip()`` returning True for states not worth logging (a participant's
  unfinished draft);
* optionally ``audit_organisation_id`` (property): the owner's id, when it can be had without
  loading the organisation (a response, whose collection, cohort and programme are loaded).
"""

from __future__ import annotations

import contextlib
import datetime
import decimal
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

from django.apps import apps
from django.db import models
from django.db.models.signals import post_delete, post_save, pre_save

#: (user or None, label) of whoever is making changes in this request or block.
current_actor: ContextVar[tuple[Any, str]] = ContextVar(
    "imheval_audit_actor", default=(None, "system")
)


_OLD_VALUES = "_audit_old_values"
_KNOWN_OLD = "_audit_known_old"


@contextlib.contextmanager
def acting_as(user: Any, label: str | None = None) -> Iterator[None]:
    """Attribute changes made inside the block to ``user`` (or to ``label`` if user is None)."""
    token = current_actor.set((user, label or (user.get_username() if user else "system")))
    try:
        yield
    finally:
        current_actor.reset(token)


def audited_models() -> list[type[models.Model]]:
    """Every installed model that declares ``AUDIT_FIELDS``: its changes are logged."""
    return [model for model in apps.get_models() if hasattr(model, "AUDIT_FIELDS")]


def connect() -> None:
    """Connect the signal handlers for every audited model (called once, from AppConfig.ready)."""
    for model in audited_models():
        uid = f"imheval-audit-{model._meta.label}"
        pre_save.connect(_remember_old, sender=model, dispatch_uid=uid + "-pre")
        post_save.connect(_saved, sender=model, dispatch_uid=uid + "-post")
        post_delete.connect(_deleted, sender=model, dispatch_uid=uid + "-delete")


def _value(value: Any) -> Any:
    if isinstance(value, decimal.Decimal):
        # 2 and 2.0 are one value: the form gives 2, the database gives back 2.0
        return format(value.normalize(), "f")
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return str(value)
    if isinstance(value, models.Model):
        return str(value.pk)
    return value


def _snapshot(instance: models.Model) -> dict[str, Any]:
    return {
        field: _value(getattr(instance, _attname(instance, field)))
        for field in instance.AUDIT_FIELDS  # type: ignore[attr-defined]
    }


def _attname(instance: models.Model, field: str) -> str:
    return str(instance._meta.get_field(field).attname)


def remember_loaded(instance: models.Model) -> None:
    """Take ``instance``'s audited values as they are in the database now, for its next save.

    For a caller that has just read the row and holds it (``select_for_update``): the save
    then compares with these values instead of reading the row again. Used once.
    """
    skip = getattr(instance, "audit_skip", None)
    was_skipped = bool(skip()) if skip is not None else None
    setattr(instance, _KNOWN_OLD, (_snapshot(instance), was_skipped))


def _remember_old(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    known = instance.__dict__.pop(_KNOWN_OLD, None)
    if instance.pk is None or kwargs.get("raw"):
        setattr(instance, _OLD_VALUES, None)
        return
    if _skipped(instance):
        return  # nothing is logged for the state being saved (see _saved): no need to look
    if known is not None:
        old_values, was_skipped = known
        setattr(instance, _OLD_VALUES, old_values)
        if was_skipped is not None:
            instance._audit_was_skipped = was_skipped  # type: ignore[attr-defined]
        return
    # No ORDER BY: a model's default ordering may join other tables, and pk is unique.
    rows = list(sender._default_manager.filter(pk=instance.pk).order_by()[:1])
    old = rows[0] if rows else None
    setattr(instance, _OLD_VALUES, _snapshot(old) if old is not None else None)
    if old is not None and hasattr(old, "audit_skip"):
        instance._audit_was_skipped = old.audit_skip()  # type: ignore[attr-defined]


def _saved(
    sender: type[models.Model], instance: models.Model, created: bool, **kwargs: Any
) -> None:
    if kwargs.get("raw") or _skipped(instance):
        return
    old = getattr(instance, _OLD_VALUES, None)
    new = _snapshot(instance)
    if created or old is None or getattr(instance, "_audit_was_skipped", False):
        # A draft that becomes complete is, for the log, a response created now.
        action = "created"
        changes = _created_changes(new)
    else:
        action = "updated"
        changes = {field: [old[field], new[field]] for field in new if old[field] != new[field]}
        if not changes:
            return
    _record(instance, action, changes)


def _deleted(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    if _skipped(instance):
        return
    _record(instance, "deleted", {})


def _skipped(instance: models.Model) -> bool:
    skip = getattr(instance, "audit_skip", None)
    return bool(skip()) if skip is not None else False


def _created_changes(values: dict[str, Any]) -> dict[str, Any]:
    return {field: [None, value] for field, value in values.items() if value not in (None, "")}


def record_created(instances: list[models.Model]) -> None:
    """Log ``instances`` as created, in one insert, exactly as saving each would have.

    For rows made with ``bulk_create`` (which sends no signals): a large import saves its
    responses and their log entries in two statements instead of two per response.
    """
    from imheval.web.organisations.models import AuditEvent

    events = [
        _event(instance, "created", _created_changes(_snapshot(instance)))
        for instance in instances
        if not _skipped(instance)
    ]
    AuditEvent.objects.bulk_create(events, batch_size=1000)


def record_updated(instance: models.Model, changes: dict[str, Any]) -> None:
    """Log ``changes`` ({field: [old, new]}) to ``instance`` by the current actor, for a model
    whose changes are logged where they are made rather than by signals (an organisation's
    settings: creating or deleting an organisation is not logged in its own log)."""
    _record(instance, "updated", changes)


def _record(instance: models.Model, action: str, changes: dict[str, Any]) -> None:
    _event(instance, action, changes).save()


def _event(instance: models.Model, action: str, changes: dict[str, Any]) -> Any:
    """The (unsaved) log entry of ``action`` on ``instance`` by the current actor."""
    from imheval.web.organisations.models import AuditEvent

    if not getattr(instance, "AUDIT_VALUES", True):
        changes = {field: "changed" for field in changes}
    user, label = current_actor.get()
    # A model may name its organisation's id directly, so the log need not load the way there.
    organisation_id = getattr(instance, "audit_organisation_id", None)
    if organisation_id is None:
        organisation_id = instance.audit_organisation.pk  # type: ignore[attr-defined]
    return AuditEvent(
        organisation_id=organisation_id,
        actor=user if getattr(user, "pk", None) else None,
        actor_label=label[:150],
        action=action,
        object_type=str(instance._meta.verbose_name),
        object_id=str(instance.pk),
        object_label=str(instance)[:250],
        changes=changes,
    )


def record_account_change(user: Any, what: str) -> None:
    """Log a change to ``user``'s own account (``what``, e.g. "password changed") in the audit
    log of each organisation they belong to. Nothing secret is logged: no password, no hash."""
    from imheval.web.organisations.models import AuditEvent, Membership

    for organisation_id in Membership.objects.filter(user=user).values_list(
        "organisation_id", flat=True
    ):
        AuditEvent.objects.create(
            organisation_id=organisation_id,
            actor=user,
            actor_label=user.get_username()[:150],
            action="updated",
            object_type="account",
            object_id=str(user.pk),
            object_label=user.get_username()[:250],
            changes={what: "yes"},
        )
