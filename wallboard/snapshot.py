"""What a wallboard socket sends: the first picture on connect and the filter on every
group message, so a subscriber never hears of a project outside its subscription."""

from live import state
from live.push import POOL_GROUP, project_group
from projects.models import Project
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


def initial(subscription: Subscription) -> list[dict]:
    """The hello, then each project's state now, then the pool's and its agent grid."""
    messages = [hello(subscription)]
    projects = state_projects(subscription)
    messages.extend(
        {"type": "live.update", "project": project.code, "state": state.project_live(project)}
        for project in projects
    )
    if subscription.pool:
        messages.append({"type": "pool.update", "state": state.pool_live()})
        messages.append(operators())
    return messages


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
