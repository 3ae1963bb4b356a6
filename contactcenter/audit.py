"""The audit trail's plumbing: who is acting, for the admin, the API and services.

django-auditlog records each change of a tracked model (``AUDITLOG_INCLUDE_TRACKING_MODELS``
in settings) with the old and new value of every field. Its middleware takes the actor from
``request.user`` before the view runs, which for the API is still anonymous: DRF
authenticates the token later, inside the view. Here the actor is looked up when the first
log entry of the request is written, by then DRF has set the token's user on the request.

Services run outside a request (Celery tasks, management commands) name their actor with
``acting_as``; without one the entry has no actor, which reads as "the system".

A tariff's bands and a project's business hours are replaced by the services with a bulk
insert, which sends no signal: ``CHILD_SETS`` records them on the parent instead, the whole
set before and after, once the transaction that changed them commits.
"""

from functools import partial

from auditlog.context import auditlog_disabled, auditlog_value, set_actor
from auditlog.middleware import AuditlogMiddleware
from auditlog.models import LogEntry
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models.signals import pre_save
from django.utils.functional import SimpleLazyObject

from contactcenter.throttling import client_ip


def _authenticated_user(request):
    user = getattr(request, "user", None)
    if isinstance(user, get_user_model()) and user.is_authenticated:
        return user
    return None


class AuditActorMiddleware(AuditlogMiddleware):
    """auditlog's middleware with the actor resolved late (see the module docstring) and
    the address taken the way the lockouts take it (a forged X-Forwarded-For is ignored)."""

    @staticmethod
    def _get_actor(request):
        # auditlog checks isinstance(actor, User) when it writes an entry: that is when
        # this resolves. No user then (anonymous) means no actor.
        return SimpleLazyObject(lambda: _authenticated_user(request))

    @staticmethod
    def _get_remote_addr(request):
        return client_ip(request)


def acting_as(user):
    """Context manager: log entries written inside it name ``user`` as the actor."""
    return set_actor(user)


# Parent model label -> the related name of child rows replaced in bulk.
CHILD_SETS = {"billing.Tariff": "bands", "projects.Project": "business_hours"}


def _children(instance, related_name):
    """The child rows as text, in stored order, without their ids (a replaced set with the
    same content is no change)."""
    if instance.pk is None:
        return ""
    manager = getattr(instance, related_name)
    parent_field = manager.field.name
    rows = []
    for child in manager.order_by("pk"):
        fields = [
            field
            for field in child._meta.concrete_fields
            if not field.primary_key and field.name != parent_field
        ]
        rows.append(", ".join(f"{field.name}={field.value_from_object(child)}" for field in fields))
    return "; ".join(rows)


def _watch_children(sender, instance, related_name, raw=False, **kwargs):
    if raw or auditlog_disabled.get() or getattr(instance, "_audit_children_watched", False):
        return
    before = _children(instance, related_name)
    instance._audit_children_watched = True
    # The actor and address now: the commit may come after the request's context is gone.
    context = auditlog_value.get({})
    actor = context.get("actor")
    actor = actor if isinstance(actor, get_user_model()) else None
    remote_addr = context.get("remote_addr")

    def record():
        instance._audit_children_watched = False
        after = _children(instance, related_name)
        if after != before:
            LogEntry.objects.log_create(
                instance,
                action=LogEntry.Action.UPDATE,
                changes={related_name: [before, after]},
                actor=actor,
                actor_email=getattr(actor, "email", None),
                remote_addr=remote_addr,
            )

    transaction.on_commit(record)


def watch_child_sets():
    """Called once from the app's ready(); models named by label, so no app is imported."""
    for label, related_name in CHILD_SETS.items():
        pre_save.connect(
            partial(_watch_children, related_name=related_name),
            sender=apps.get_model(label),
            weak=False,
            dispatch_uid=f"audit-children-{label}",
        )
