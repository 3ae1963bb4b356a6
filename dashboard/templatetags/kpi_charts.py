"""Server-rendered SVG charts for the KPI dashboard: coordinates computed here, no JavaScript.

A chart is described in data (``ChartSpec``: categories on the x axis, series of values,
reference lines or bands such as a target) and laid out by ``chart_layout`` into plain
numbers that one template (``admin/dashboard/chart.html``) draws. Every drawn value keeps
its exact API value in ``data-value`` and its bucket in ``data-start``, so a test can read
the page as a machine and compare it with the API, number for number.
"""

import datetime as dt
import json
import math
from dataclasses import dataclass, field

from django import template
from django.utils import dateformat
from django.utils.translation import gettext as _

from contactcenter.l10n import number_text, percent_text

register = template.Library()

# The SVG's own coordinate system; the browser scales it to the page width.
WIDTH, HEIGHT = 960, 260
MARGIN_TOP, MARGIN_RIGHT, MARGIN_BOTTOM, MARGIN_LEFT = 14, 18, 34, 58
PLOT_WIDTH = WIDTH - MARGIN_LEFT - MARGIN_RIGHT
PLOT_HEIGHT = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM

RATIO, SECONDS, CALLS = "ratio", "seconds", "calls"


@dataclass(frozen=True)
class Category:
    """One slot of the x axis: a bucket (``key`` is its start as the API writes it) or an hour."""

    key: str
    title: str  # the full name, for tooltips: "Mon 5 Oct 14:00"
    label: str = ""  # the axis label; blank where labels would crowd
    boundary: bool = False  # a day starts here: a faint vertical line


@dataclass(frozen=True)
class Series:
    key: str  # data-series
    label: str  # the legend
    kind: str  # "bar" or "line"
    values: list  # one API value per category; None (JSON null) is a gap, never a zero
    tone: str  # the colour: CSS class "tone-<tone>"


@dataclass(frozen=True)
class Reference:
    """A horizontal target line (``high`` None) or a target band from ``low`` to ``high``."""

    label: str
    low: float
    high: float | None = None


@dataclass
class ChartSpec:
    key: str
    unit: str  # RATIO, SECONDS or CALLS: the y axis and the tooltips follow it
    categories: list
    series: list
    references: list = field(default_factory=list)
    y_min_top: float = 0  # the y axis reaches at least this (1 for 0-100% charts)
    description: str = ""  # for screen readers


def data_value(value):
    """A value as the API's JSON writes it: ``null``, ``42``, ``0.8190476190476191``."""
    if isinstance(value, str):
        return value
    return json.dumps(value)


def format_value(value, unit):
    """A value as a person reads it, in the unit of its chart."""
    if value is None:
        return "—"
    if unit == RATIO:
        return percent_text(value, 1)
    if unit == SECONDS:
        number = number_text(value, 1) if abs(value) < 100 else number_text(value, 0)
        return _("%(seconds)s s") % {"seconds": number}
    return f"{value:,}".replace(",", "\u202f")


def _format_tick(value, unit):
    if unit == RATIO:
        percent = round(value * 100, 6)
        return percent_text(value, 0 if percent == int(percent) else 1)
    if unit == SECONDS:
        return _("%(seconds)s s") % {"seconds": number_text(value, 0 if value == int(value) else 1)}
    return f"{value:,.0f}".replace(",", "\u202f")


def nice_ticks(top, *, count=5, integer=False):
    """Ticks from 0 up to a round number at or above ``top``: 0, 0.2, ..., 1 or 0, 25, 50."""
    if top <= 0:
        top = 1
    raw = top / count
    magnitude = 10 ** math.floor(math.log10(raw))
    for multiple in (1, 2, 2.5, 5, 10):
        step = multiple * magnitude
        if step >= raw:
            break
    if integer:
        step = max(1, math.ceil(step))
    steps = math.ceil(round(top / step, 9))
    return [round(i * step, 10) for i in range(steps + 1)]


def chart_layout(spec):  # noqa: C901  one branch per chart option
    """Place every bar, point, line, tick and reference of ``spec`` in SVG coordinates."""
    values = [v for s in spec.series for v in s.values if v is not None]
    refs = [r.high if r.high is not None else r.low for r in spec.references]
    top = max([spec.y_min_top, *values, *refs, 0])
    ticks = nice_ticks(top, integer=spec.unit == CALLS)
    y_top = ticks[-1]

    def y(value):
        return round(MARGIN_TOP + PLOT_HEIGHT * (1 - value / y_top), 2)

    count = max(len(spec.categories), 1)
    slot = PLOT_WIDTH / count

    def x_center(index):
        return MARGIN_LEFT + slot * (index + 0.5)

    bar_series = [s for s in spec.series if s.kind == "bar"]
    group = slot * (0.8 if slot > 6 else 1.0)
    bar_width = group / max(len(bar_series), 1)
    radius = round(min(4.0, max(1.6, slot * 0.28)), 2)

    bars, lines, points = [], [], []
    for position, series in enumerate(bar_series):
        for index, (category, value) in enumerate(zip(spec.categories, series.values, strict=True)):
            left = x_center(index) - group / 2 + position * bar_width
            height = 0 if value is None else round(y(0) - y(value), 2)
            bars.append(
                {
                    "x": round(left, 2),
                    "y": round(y(0) - height, 2),
                    "width": round(max(bar_width - (1 if bar_width > 4 else 0), 0.6), 2),
                    "height": height,
                    "series": series.key,
                    "tone": series.tone,
                    "start": category.key,
                    "value": data_value(value),
                    "title": f"{category.title} · {series.label}: {format_value(value, spec.unit)}",
                }
            )
    for series in spec.series:
        if series.kind != "line":
            continue
        segments, current = [], []
        for index, (category, value) in enumerate(zip(spec.categories, series.values, strict=True)):
            cx = round(x_center(index), 2)
            if value is None:
                if current:
                    segments.append(current)
                current = []
            else:
                current.append((cx, y(value)))
            points.append(
                {
                    "cx": cx,
                    "cy": y(0) if value is None else y(value),
                    "r": 0 if value is None else radius,
                    "missing": value is None,
                    "series": series.key,
                    "tone": series.tone,
                    "start": category.key,
                    "value": data_value(value),
                    "title": f"{category.title} · {series.label}: {format_value(value, spec.unit)}",
                }
            )
        if current:
            segments.append(current)
        path = " ".join(
            "M" + " L".join(f"{px},{py}" for px, py in segment)
            for segment in segments
            if len(segment) > 1
        )
        lines.append({"series": series.key, "tone": series.tone, "d": path})

    references = []
    for reference in spec.references:
        item = {"label": reference.label, "y": y(reference.low), "value": data_value(reference.low)}
        if reference.high is not None:
            item.update(
                band_top=y(reference.high),
                band_height=round(y(reference.low) - y(reference.high), 2),
            )
        references.append(item)

    return {
        "spec": spec,
        "width": WIDTH,
        "height": HEIGHT,
        "plot": {
            "left": MARGIN_LEFT,
            "right": MARGIN_LEFT + PLOT_WIDTH,
            "top": MARGIN_TOP,
            "bottom": MARGIN_TOP + PLOT_HEIGHT,
            "width": PLOT_WIDTH,
        },
        "y_ticks": [{"y": y(t), "label": _format_tick(t, spec.unit)} for t in ticks],
        "x_labels": [
            {"x": round(x_center(i), 2), "label": c.label}
            for i, c in enumerate(spec.categories)
            if c.label
        ],
        "x_boundaries": [
            round(MARGIN_LEFT + slot * i, 2)
            for i, c in enumerate(spec.categories)
            if c.boundary and i > 0
        ],
        "label_y": MARGIN_TOP + PLOT_HEIGHT + 18,
        "bars": bars,
        "lines": lines,
        "points": points,
        "references": references,
        "legend": [{"label": s.label, "tone": s.tone, "kind": s.kind} for s in spec.series],
    }


# Label spacings for sub-day buckets, in minutes: the first one that keeps at most
# MAX_LABELS labels on the axis wins.
LABEL_SPACINGS = (15, 30, 60, 120, 180, 360, 720, 1440, 2880, 4320, 10080)
MAX_LABELS = 12
BUCKET_MINUTES = {"15min": 15, "hour": 60}


def time_categories(starts, *, tz, granularity):
    """Categories for buckets starting at ``starts`` (ISO strings), labelled in local time."""
    local = [dt.datetime.fromisoformat(s.replace("Z", "+00:00")).astimezone(tz) for s in starts]
    count = len(local)
    if granularity in BUCKET_MINUTES:
        minutes = BUCKET_MINUTES[granularity]
        spacing = next(
            (s for s in LABEL_SPACINGS if s >= minutes and count * minutes / s <= MAX_LABELS),
            LABEL_SPACINGS[-1],
        )
        step = spacing // minutes
        aligned = (
            i for i, t in enumerate(local) if (t.hour * 60 + t.minute) % min(spacing, 1440) == 0
        )
        first = next(aligned, 0)
        categories = []
        for i, t in enumerate(local):
            midnight = t.hour == 0 and t.minute == 0
            show = i >= first and (i - first) % step == 0
            label = (_day(t) if midnight else f"{t:%H:%M}") if show else ""
            categories.append(
                Category(
                    key=starts[i],
                    title=f"{_day(t)} {t:%H:%M}",
                    label=label,
                    boundary=midnight,
                )
            )
        return categories
    step = max(1, math.ceil(count / MAX_LABELS))
    if granularity == "month":
        return [
            Category(
                key=s,
                title=dateformat.format(t, "F Y"),
                label=dateformat.format(t, "M Y") if i % step == 0 else "",
            )
            for i, (s, t) in enumerate(zip(starts, local, strict=True))
        ]
    return [
        Category(
            key=s,
            title=f"{_day(t)} {t.year}",
            label=_day(t) if i % step == 0 else "",
        )
        for i, (s, t) in enumerate(zip(starts, local, strict=True))
    ]


def _day(t):
    """``Mon 5 Oct`` (en), ``Пн 5 Окт`` (ru): the day as the axis and tooltips name it."""
    return dateformat.format(t, "D j M")


def hour_categories():
    """The 24 local hours of a day, labelled every third hour."""
    return [
        Category(key=str(h), title=f"{h:02d}:00-{h:02d}:59", label=f"{h:02d}" if h % 3 == 0 else "")
        for h in range(24)
    ]


@register.inclusion_tag("admin/dashboard/chart.html")
def svg_chart(spec):
    """Draw a ``ChartSpec`` as inline SVG with its legend."""
    return chart_layout(spec)


@register.filter
def kpi_display(value, unit):
    """``{{ value|kpi_display:"ratio" }}``: 0.819 as "81.9%", null as a dash."""
    return format_value(value, unit)


@register.filter
def kpi_data(value):
    """``{{ value|kpi_data }}``: the value as the API's JSON writes it, for data-value."""
    return data_value(value)
