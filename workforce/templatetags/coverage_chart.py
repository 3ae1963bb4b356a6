"""``{% coverage_chart required scheduled %}``: a week's required and scheduled agents per
15 minutes as a server-rendered SVG (no script): the requirement a dark step line, the
scheduled agents a filled area, the shortfall red bars, the days separated and labelled.
Everything goes through ``format_html`` (the points are digits, commas and dots, which
escaping leaves as they are)."""

from django import template
from django.utils.html import format_html, format_html_join

register = template.Library()

STEP = 1.5  # pixels per interval: 672 intervals, 1008 pixels
HEIGHT = 120
TOP = 14  # room for the day labels
PER_DAY = 96


def _y(value, top):
    return TOP + HEIGHT - HEIGHT * value / top


def _steps(values, top):
    points = []
    for index, value in enumerate(values):
        y = _y(value, top)
        points.append(f"{index * STEP:.1f},{y:.1f}")
        points.append(f"{(index + 1) * STEP:.1f},{y:.1f}")
    return " ".join(points)


@register.simple_tag
def coverage_chart(required, scheduled, day_labels=()):
    required, scheduled = list(required), list(scheduled)
    top = max([*required, *scheduled, 1])
    width = len(required) * STEP
    area = f"0,{TOP + HEIGHT} {_steps(scheduled, top)} {width:.1f},{TOP + HEIGHT}"
    short = format_html_join(
        "",
        '<rect class="short" x="{}" y="{}" width="{}" height="{}"></rect>',
        (
            (
                f"{index * STEP:.1f}",
                f"{_y(need, top):.1f}",
                f"{STEP:.1f}",
                f"{_y(have, top) - _y(need, top):.1f}",
            )
            for index, (need, have) in enumerate(zip(required, scheduled, strict=True))
            if have < need
        ),
    )
    days = format_html_join(
        "",
        '<line class="day" x1="{0}" y1="0" x2="{0}" y2="{1}"></line>'
        '<text x="{2}" y="11">{3}</text>',
        (
            (f"{day * PER_DAY * STEP:.1f}", TOP + HEIGHT, f"{day * PER_DAY * STEP + 4:.1f}", label)
            for day, label in enumerate(day_labels)
        ),
    )
    return format_html(
        '<svg class="coverage-chart" xmlns="http://www.w3.org/2000/svg" width="{}" height="{}" '
        'viewBox="0 0 {} {}" role="img"><polygon class="scheduled" points="{}"></polygon>{}'
        '<polyline class="required" points="{}"></polyline>{}'
        '<text class="top" x="{}" y="{}" text-anchor="end">{}</text></svg>',
        f"{width:.0f}",
        TOP + HEIGHT + 4,
        f"{width:.0f}",
        TOP + HEIGHT + 4,
        area,
        short,
        _steps(required, top),
        days,
        f"{width - 2:.0f}",
        TOP + 10,
        top,
    )
