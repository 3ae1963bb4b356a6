"""The names of the wallboard's channel layer groups (docs/wallboard.md), shared by the live
state's pushes and the alert engine's, which sit in different layers."""

POOL_GROUP = "live.pool"


def project_group(project_id: int) -> str:
    """The group of one project's subscribers."""
    return f"live.project.{project_id}"
