"""Forecast of offered calls and AHT per project per 15-minute interval (docs/staffing.md).

The method WFM tools call "weighted same-weekday-and-interval averages with trend": the
forecast for an interval is the weighted average of the *same local weekday and time of
day* in each of the last K weeks (recent weeks weigh more), times a trend factor.

Intervals are matched in the project's **local** wall time, so a DST change does not
shift the daily pattern by an hour: Monday 09:00 local is compared with the previous
Mondays at 09:00 local, whatever their UTC offset. A local time that did not exist in a
past week (the hour skipped in spring) is missing there, and the weights of the weeks
that have it are renormalised.

The arithmetic is pure numpy over a (weeks x intervals) matrix; ``load_history`` is the one
read of the database (``ProjectInterval`` rollups) and ``project_forecast`` ties them.
"""

import datetime as dt
from zoneinfo import ZoneInfo

import numpy as np

INTERVAL = dt.timedelta(minutes=15)
WEEK = dt.timedelta(days=7)
# Most recent week first; renormalised over the weeks a slot has (a young project).
DEFAULT_WEIGHTS = (0.35, 0.25, 0.15, 0.10, 0.10, 0.05)
TREND_CLIP = (0.5, 2.0)
MAX_WEEKS = 8
HISTORY_WEEKS = len(DEFAULT_WEIGHTS)


# --- Pure arithmetic -----------------------------------------------------------------------


def trend_factor(weekly_means, *, clip=TREND_CLIP):
    """Ratio of the recent half of the weeks to the older half, clipped, and the gap in
    weeks between the centres of the two halves.

    ``weekly_means`` is ordered most recent first and may hold nan (a week with no data).
    With fewer than two usable weeks, or an older half with no calls, the trend is 1.
    """
    means = np.asarray(weekly_means, dtype=float)
    half = means.size // 2
    if half == 0:
        return 1.0, 1.0
    recent, older = means[:half], means[half : 2 * half]
    recent_ok, older_ok = ~np.isnan(recent), ~np.isnan(older)
    if not recent_ok.any() or not older_ok.any():
        return 1.0, 1.0
    older_mean = older[older_ok].mean()
    if older_mean <= 0:
        return 1.0, 1.0
    ratio = float(np.clip(recent[recent_ok].mean() / older_mean, *clip))
    ages = np.arange(1, means.size + 1, dtype=float)
    gap = ages[half : 2 * half][older_ok].mean() - ages[:half][recent_ok].mean()
    return ratio, float(gap)


def forecast_matrix(
    offered, answered, handle_seconds, *, horizon, weights=DEFAULT_WEIGHTS, clip=TREND_CLIP
):
    """Forecast offered calls and AHT for target intervals from their past weeks.

    ``offered``, ``answered``, ``handle_seconds``: arrays (K, T); row k is the same local
    weekday and time k + 1 weeks before the forecast's first week; nan where that week has
    no data (before the project's history, or a local time that did not exist).
    ``horizon``: (T,) whole weeks from the forecast's first week (0 for the first week).

    Offered = (weighted average of the rows) x g ** (mean age + horizon), where the weekly
    growth g = ratio ** (1 / gap) comes from ``trend_factor`` (the ratio is what is
    clipped to [0.5, 2]) and the mean age is the weighted age of the average: a steady
    geometric trend is projected from where the average sits to the target week.
    AHT = weighted handle seconds / weighted answered calls (a ratio of sums, never an
    average of ratios); nan where no call was answered in that slot in any week.
    Returns ``(offered (T,), aht (T,), trend ratio)``.
    """
    offered = np.asarray(offered, dtype=float)
    answered = np.asarray(answered, dtype=float)
    handle = np.asarray(handle_seconds, dtype=float)
    weeks = offered.shape[0]
    w = np.asarray(weights[:weeks], dtype=float)
    if w.size < weeks:
        w = np.concatenate([w, np.full(weeks - w.size, w[-1] if w.size else 1.0)])
    valid = ~np.isnan(offered)
    col_w = np.where(valid, w[:, None], 0.0)
    total_w = col_w.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        level = np.where(total_w > 0, (col_w * np.nan_to_num(offered)).sum(axis=0) / total_w, 0.0)
        ages = np.arange(1, weeks + 1, dtype=float)
        mean_age = np.where(total_w > 0, (col_w * ages[:, None]).sum(axis=0) / total_w, 0.0)
        ratio, gap = trend_factor(_weekly_means(offered, valid), clip=clip)
        growth = ratio ** (1.0 / gap)
        forecast = level * growth ** (mean_age + np.asarray(horizon, dtype=float))
        answered_w = (col_w * np.nan_to_num(answered)).sum(axis=0)
        handle_w = (col_w * np.nan_to_num(handle)).sum(axis=0)
        aht = np.where(answered_w > 0, handle_w / answered_w, np.nan)
    return forecast, aht, ratio


def _weekly_means(offered, valid):
    """Mean offered per interval of each week, over the intervals every usable week has, so
    that a week cut by the start of the history is compared like for like. A week is usable
    when it has at least 90 % of the intervals of the fullest week; the others are nan."""
    counts = valid.sum(axis=1)
    usable = (counts > 0) & (counts >= 0.9 * counts.max(initial=0))
    common = valid[usable].all(axis=0) if usable.any() else np.zeros(offered.shape[1], bool)
    means = np.full(offered.shape[0], np.nan)
    if common.any():
        means[usable] = offered[usable][:, common].mean(axis=1)
    return means


def wape(actual, forecast):
    """sum |actual - forecast| / sum actual over the slots with an actual; None when 0."""
    actual = np.asarray(actual, dtype=float)
    forecast = np.asarray(forecast, dtype=float)
    known = ~np.isnan(actual)
    total = actual[known].sum()
    if total <= 0:
        return None
    return float(np.abs(actual[known] - forecast[known]).sum() / total)


# --- Calendar: which past instants match a target interval ---------------------------------


def local_week_grid(start_date, weeks, tz):
    """The UTC starts of every 15-minute interval of ``weeks`` local weeks from local
    midnight of ``start_date``: 672 a week, 668 or 676 across a DST change."""
    zone = ZoneInfo(tz) if isinstance(tz, str) else tz
    start = dt.datetime.combine(start_date, dt.time(), zone).astimezone(dt.UTC)
    end_date = start_date + dt.timedelta(days=7 * weeks)
    end = dt.datetime.combine(end_date, dt.time(), zone).astimezone(dt.UTC)
    count = int((end - start) / INTERVAL)
    return [start + i * INTERVAL for i in range(count)]


def past_instants(targets, *, start, tz, weeks):
    """(K, T) UTC instants: for each target, the same local wall time k + 1 weeks before
    the week (counted from ``start``) it falls in; None where that wall time did not exist.

    The fold of the target is kept, so the repeated hour of an autumn change matches the
    repeated hour of a past autumn change, and its first pass any ordinary week.
    """
    zone = ZoneInfo(tz) if isinstance(tz, str) else tz
    rows = [[None] * len(targets) for _ in range(weeks)]
    for column, target in enumerate(targets):
        local = target.astimezone(zone)
        week_of_target = (target - start) // WEEK
        wall = local.replace(tzinfo=None)
        for k in range(weeks):
            candidate = (wall - (week_of_target + k + 1) * WEEK).replace(
                tzinfo=zone, fold=local.fold
            )
            instant = candidate.astimezone(dt.UTC)
            if instant.astimezone(zone).replace(tzinfo=None) != candidate.replace(tzinfo=None):
                continue  # the skipped hour of a spring change: no such local time that week
            rows[k][column] = instant
    return rows


def horizons(targets, start):
    return np.array([(target - start) // WEEK for target in targets], dtype=float)


# --- Database ------------------------------------------------------------------------------


def load_history(*, project_ids, since, until):
    """{project_id: {interval_start: (offered, answered, handle seconds)}} for [since, until),
    and {project_id: first interval with data} (weeks before it are missing, not zero)."""
    from django.db.models import Min

    from calls.models import ProjectInterval

    rows = ProjectInterval.objects.filter(
        project_id__in=project_ids, interval_start__gte=since, interval_start__lt=until
    ).values_list(
        "project_id",
        "interval_start",
        "offered",
        "answered",
        "talk_seconds",
        "hold_seconds",
        "wrap_seconds",
    )
    history = {pid: {} for pid in project_ids}
    for pid, start, offered, answered, talk, hold, wrap in rows:
        history[pid][start] = (offered, answered, talk + hold + wrap)
    first = dict(
        ProjectInterval.objects.filter(project_id__in=project_ids)
        .values("project_id")
        .annotate(first=Min("interval_start"))
        .values_list("project_id", "first")
    )
    return history, first


def history_matrices(instants, series, first):
    """Turn (K, T) instants and one project's rows into offered/answered/handle matrices."""
    shape = (len(instants), len(instants[0]) if instants else 0)
    offered, answered, handle = (np.full(shape, np.nan) for _ in range(3))
    for k, row in enumerate(instants):
        for t, instant in enumerate(row):
            if instant is None or first is None or instant < first:
                continue
            values = series.get(instant, (0, 0, 0))
            offered[k, t], answered[k, t], handle[k, t] = values
    return offered, answered, handle


def forecast_projects(*, projects, targets, start, history_weeks=HISTORY_WEEKS):
    """Forecast every project over the same UTC ``targets`` (each in its own local time).

    Returns {project_id: {"offered": (T,), "aht_seconds": (T,), "trend": float}}; one
    query for all the projects' history.
    """
    if not targets:
        return {
            p.pk: {"offered": np.zeros(0), "aht_seconds": np.zeros(0), "trend": 1.0}
            for p in projects
        }
    since = targets[0] - (history_weeks + int(horizons(targets, start).max()) + 1) * WEEK - WEEK
    history, first = load_history(
        project_ids=[p.pk for p in projects], since=since, until=targets[-1] + INTERVAL
    )
    result = {}
    for project in projects:
        instants = past_instants(targets, start=start, tz=project.timezone, weeks=history_weeks)
        offered, answered, handle = history_matrices(
            instants, history[project.pk], first.get(project.pk)
        )
        forecast, aht, trend = forecast_matrix(
            offered, answered, handle, horizon=horizons(targets, start)
        )
        result[project.pk] = {"offered": forecast, "aht_seconds": aht, "trend": trend}
    return result


def _round(value, digits):
    return None if value is None or np.isnan(value) else round(float(value), digits)


def project_forecast(*, project, start_date, weeks=1, history_weeks=HISTORY_WEEKS):
    """The API's answer: a project's forecast for ``weeks`` local weeks from ``start_date``,
    with the backtest: the week before ``start_date`` forecast from the weeks before it."""
    zone = ZoneInfo(project.timezone)
    targets = local_week_grid(start_date, weeks, zone)
    start = targets[0]
    # One load serves both: rows 1..K for the forecast, row 1 as the backtest's actual and
    # rows 2..K+1 as its history (matched on the same local wall times).
    instants = past_instants(targets, start=start, tz=zone, weeks=history_weeks + 1)
    since = start - (history_weeks + 1) * WEEK - WEEK
    history, first = load_history(project_ids=[project.pk], since=since, until=start + weeks * WEEK)
    offered, answered, handle = history_matrices(
        instants, history[project.pk], first.get(project.pk)
    )
    horizon = horizons(targets, start)
    forecast, aht, trend = forecast_matrix(
        offered[:history_weeks], answered[:history_weeks], handle[:history_weeks], horizon=horizon
    )
    first_week = horizon == 0
    backtest, _, _ = forecast_matrix(
        offered[1:, first_week],
        answered[1:, first_week],
        handle[1:, first_week],
        horizon=np.zeros(int(first_week.sum())),
    )
    actual = offered[0, first_week]
    return {
        "project": project.code,
        "timezone": project.timezone,
        "from": start_date,
        "weeks": weeks,
        "history_weeks": history_weeks,
        "interval_seconds": int(INTERVAL.total_seconds()),
        "trend": round(trend, 4),
        "backtest": {
            "from": start_date - dt.timedelta(days=7),
            "to": start_date,
            "wape": _round(wape(actual, backtest), 4),
            "actual_offered": _round(np.nansum(actual), 2),
            "forecast_offered": _round(np.nansum(np.where(np.isnan(actual), np.nan, backtest)), 2),
        },
        "intervals": [
            {
                "start": target,
                "offered": _round(value, 2),
                "aht_seconds": _round(seconds, 1),
            }
            for target, value, seconds in zip(targets, forecast, aht, strict=True)
        ],
    }
