"""Staff roles as Django groups: what a project manager may do in the admin.

Which rows they see is the tenancy's business (``projects.admin_scoping``); which models
and actions, this group's. Models are named by label, so no other app is imported.
"""

from django.contrib.auth.models import Group, Permission
from django.db import transaction

PROJECT_MANAGERS = "Project managers"

PROJECT_MANAGER_PERMISSIONS = {
    "projects": {
        "client": ["view"],
        "vatrate": ["view"],
        "project": ["view", "change"],
        "businesshours": ["view", "add", "change", "delete"],
    },
    "agents": {
        "operator": ["view", "add", "change"],
        "certification": ["view", "add", "change", "delete"],
        "shift": ["view", "add", "change", "delete"],
        "absence": ["view", "add", "change", "delete"],
        "agentstateevent": ["view"],
    },
    "calls": {"call": ["view", "add"], "contact": ["view", "change"]},
    "billing": {
        "tariff": ["view", "add", "change"],
        "tariffband": ["view", "add", "change", "delete"],
        "invoice": ["view"],
        "invoiceline": ["view"],
    },
    "django_celery_beat": {"periodictask": ["view"]},
}


@transaction.atomic
def roles_setup():
    """Create or refresh the role groups; returns {group name: permission count}."""
    group, _ = Group.objects.get_or_create(name=PROJECT_MANAGERS)
    wanted = [
        (app_label, f"{action}_{model}")
        for app_label, models in PROJECT_MANAGER_PERMISSIONS.items()
        for model, actions in models.items()
        for action in actions
    ]
    permissions = [
        Permission.objects.get(content_type__app_label=app_label, codename=codename)
        for app_label, codename in wanted
    ]
    group.permissions.set(permissions)
    return {group.name: len(permissions)}
