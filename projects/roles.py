"""Staff roles as Django groups: what project managers, QA evaluators and trainers may do
in the admin.

Which rows they see is the tenancy's business (``projects.admin_scoping``: the projects a
user manages, evaluates or trains for); which models and actions, the group's. Models are
named by label, so no other app is imported.
"""

from django.contrib.auth.models import Group, Permission
from django.db import transaction

# The billing right: who may change a client's legal and billing details and its VAT, in the
# admin and the API alike. Superusers hold it; the roles below do not (PMs view clients).
BILLING_RIGHT = "projects.change_client"
# Fields of a client that reach its invoices ("vat_rate" is the API's VAT shortcut).
CLIENT_BILLING_FIELDS = (
    "legal_name",
    "tax_id",
    "kpp",
    "address",
    "billing_email",
    "currency",
    "vat_included",
    "vat_rate",
    "ogrn",
    "seller",
    "contract_number",
    "contract_date",
    "payment_terms_days",
)

PROJECT_MANAGERS = "Project managers"
# Operators who log in to their self-service pages (/me/, ``selfservice``): not staff, so
# never the admin; no model permission: the pages show the linked operator's own rows.
OPERATORS = "Operators"
QA_EVALUATORS = "QA evaluators"
TRAINERS = "Trainers"

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
        "shifttemplate": ["view", "add", "change", "delete"],
        "absence": ["view", "add", "change", "delete"],
        "agentstateevent": ["view"],
        "breakreason": ["view", "add", "change"],
        "operatorstatuschange": ["view"],
        "trainingprogram": ["view", "add", "change", "delete"],
        "trainingenrolment": ["view", "add", "change"],
        # Operators' requests: decided (the approve and decline actions), never written.
        "timeoffrequest": ["view", "change"],
        "shiftswap": ["view", "change"],
    },
    "calls": {
        "call": ["view", "add"],
        "contact": ["view", "change"],
    },
    "quality": {
        "scorecard": ["view", "add", "change"],
        "scorecardcriterion": ["view", "add", "change", "delete"],
        "evaluation": ["view", "add", "change"],
        "evaluationanswer": ["view", "add", "change"],
        "evaluationdispute": ["view", "change"],
        "qasample": ["view"],
    },
    "billing": {
        "tariff": ["view", "add", "change"],
        "tariffband": ["view", "add", "change", "delete"],
        "invoice": ["view"],
        "invoiceline": ["view"],
        "payment": ["view"],
        "clientcredit": ["view"],
        "delivery": ["view"],
    },
    "django_celery_beat": {"periodictask": ["view"]},
    # Alerts of their projects: read, and acknowledge (the only change the admin allows).
    "alerts": {"alert": ["view", "change"], "alertdelivery": ["view"]},
    # Their clients' PBX sources and mappings; parked calls to read and replay.
    "telephony": {
        "telephonysource": ["view", "add", "change"],
        "queuemapping": ["view", "add", "change", "delete"],
        "agentmapping": ["view", "add", "change", "delete"],
        "parkedcall": ["view"],
    },
}


# Calls of the projects they evaluate, and the operators who took them; nothing of billing.
QA_EVALUATOR_PERMISSIONS = {
    "projects": {"project": ["view"]},
    "agents": {"operator": ["view"]},
    "calls": {
        "call": ["view"],
        "contact": ["view"],
    },
    "quality": {
        "scorecard": ["view", "add", "change"],
        "scorecardcriterion": ["view", "add", "change", "delete"],
        "evaluation": ["view", "add", "change"],
        "evaluationanswer": ["view", "add", "change"],
        "evaluationdispute": ["view", "change"],
        "qasample": ["view"],
    },
}

# Training programs and enrolments of their projects; operators and certifications to read
# (a pass certifies by itself). Moving an operator's status is for managers.
TRAINER_PERMISSIONS = {
    "projects": {"project": ["view"]},
    "agents": {
        "operator": ["view"],
        "certification": ["view"],
        "operatorstatuschange": ["view"],
        "trainingprogram": ["view", "add", "change", "delete"],
        "trainingenrolment": ["view", "add", "change"],
    },
}

ROLE_PERMISSIONS: dict[str, dict[str, dict[str, list[str]]]] = {
    PROJECT_MANAGERS: PROJECT_MANAGER_PERMISSIONS,
    QA_EVALUATORS: QA_EVALUATOR_PERMISSIONS,
    TRAINERS: TRAINER_PERMISSIONS,
    OPERATORS: {},
}


@transaction.atomic
def roles_setup():
    """Create or refresh the role groups; returns {group name: permission count}."""
    counts = {}
    for name, granted in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        permissions = [
            Permission.objects.get(content_type__app_label=app_label, codename=f"{action}_{model}")
            for app_label, models in granted.items()
            for model, actions in models.items()
            for action in actions
        ]
        group.permissions.set(permissions)
        counts[name] = len(permissions)
    return counts


def holds_billing_right(user) -> bool:
    """May ``user`` change clients' billing details (``BILLING_RIGHT``)?"""
    return bool(user.is_active and user.has_perm(BILLING_RIGHT))
