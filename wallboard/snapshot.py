"""What a wallboard socket sends: the first picture on connect and the filter on every
group message, so a subscriber never hears of a project outside its subscription."""

from django.db.models import Q

from alerts.delivery import alert_payload
from alerts.models import Alert
from live import state
from live.push import POOL_GROUP, project_group
from projects.models import Project
from wallboard.intraday import intraday_message
from wallboard.subscription import Subscription


def groups(subscription: Subscription) -> tuple[str, ...]:
    """The pool's group for who hears the pool (it carries every project's messages too,
    filtered here by ``forwardable``), else one group per project."""
    if subscription.pool:
        return (POOL_GROUP,)
    return tuple(project_group(pk) for pk in subscription.projects)


def hello(subscription: Subscription) -> dict:
    return {
        "type": "wallboard.hello",
        "projects": list(subscription.projects.values()),
        "pool": subscription.pool,
    }


def operators() -> dict:
    """The agent grid: every operator of the pool, state and since when."""
    return {"type": "operators", "operators": state.operators_live()}


def open_alerts(subscription: Subscription) -> dict:
    """The alerts not cleared yet of the subscriber's projects (and the pool-wide ones, for
    who hears the pool), oldest first, each as its ``alert.opened`` message would carry it."""
    scope = Q(project_id__in=list(subscription.projects))
    if subscription.pool:
        scope |= Q(project__isnull=True)
    rows = Alert.objects.not_cleared().filter(scope).select_related("project")
    return {
        "type": "alerts",
        "alerts": [
            alert_payload(alert, "opened")["alert"] for alert in rows.order_by("opened_at", "pk")
        ],
    }


def initial(subscription: Subscription) -> list[dict]:
    """The hello, the open alerts, each project's state now and its current intraday
    interval, then the pool's state and its agent grid."""
    messages = [hello(subscription), open_alerts(subscription)]
    projects = state_projects(subscription)
    messages.extend(
        {"type": "live.update", "project": project.code, "state": state.project_live(project)}
        for project in projects
    )
    messages.append(intraday_message(projects))
    if subscription.pool:
        messages.append({"type": "pool.update", "state": state.pool_live()})
        messages.append(operators())
    return messages


def intraday(subscription: Subscription) -> dict:
    """The ``intraday`` message of the subscriber's projects (``wallboard.intraday``)."""
    return intraday_message(state_projects(subscription))


def state_projects(subscription: Subscription) -> list[Project]:
    return list(Project.objects.filter(pk__in=subscription.projects).order_by("code"))


def forwardable(subscription: Subscription | None, event: dict) -> dict | None:
    """The client's message for a ``live.update`` group event, or None when this subscriber
    may not hear it (a second check behind the group membership)."""
    if subscription is None:
        return None
    project = event.get("project")
    if not project:
        if not subscription.pool:
            return None
        return {"type": "pool.update", "state": event.get("state")}
    if project not in subscription.codes:
        return None
    return {"type": "live.update", "project": project, "state": event.get("state")}


def forwardable_alert(subscription: Subscription | None, event: dict) -> dict | None:
    """An ``alert.*`` event for a project heard here, or a pool-wide one for the pool."""
    if subscription is None:
        return None
    project = event.get("project")
    if project and project in subscription.codes:
        return dict(event)
    if not project and subscription.pool:
        return dict(event)
    return None
