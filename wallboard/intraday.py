"""The wallboard's intraday figure per project: the current 15-minute interval's agents
required (Erlang C on the reforecast) against those on shift, as ``workforce.intraday``
answers ``GET projects/{code}/intraday/``; computed at most once a minute per project (the
cache), whatever the number of sockets."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.core.cache import cache
from django.utils import timezone

from projects.models import Project
from workforce.intraday import project_intraday

CACHE_SECONDS = 120  # a minute's entry outlives its minute; the key changes each minute


def current_interval(project: Project, now: dt.datetime) -> dict | None:
    """``{start, forecast, actual, reforecast, required_agents, on_shift, gap}`` of the
    interval holding ``now`` on the project's local day (None: no such interval)."""
    day = now.astimezone(ZoneInfo(project.timezone)).date()
    answer = project_intraday(project=project, day=day, now=now)
    for row in answer["intervals"]:
        if row["start"] <= now < row["start"] + dt.timedelta(seconds=answer["interval_seconds"]):
            return {
                "start": row["start"].isoformat(),
                "forecast": row["forecast"],
                "actual": row["actual"],
                "reforecast": row["reforecast"],
                "required_agents": row["required_agents"],
                "on_shift": row["on_shift"],
                "gap": row["gap"],
            }
    return None


def intraday_message(projects: list[Project], now: dt.datetime | None = None) -> dict:
    """``{"type": "intraday", "projects": {code: current_interval}}``, each project's figure
    computed at most once per minute of ``now``."""
    now = now or timezone.now()
    minute = now.replace(second=0, microsecond=0)
    figures = {}
    for project in projects:
        key = f"wallboard.intraday.{project.pk}.{project.code}.{minute.timestamp():.0f}"
        figure = cache.get(key)
        if figure is None:
            figure = {"interval": current_interval(project, minute)}
            cache.set(key, figure, CACHE_SECONDS)
        figures[project.code] = figure["interval"]
    return {"type": "intraday", "projects": figures}
