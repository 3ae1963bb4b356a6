"""The People admin page: the pool's turnover per month and each project's bench strength.

It lives in ``workforce`` beside the staffing plan that bench strength needs (above
``agents``); the turnover comes from ``agents.turnover``. Staff only (``admin_view``);
bench strength lists the projects the user manages or trains on, turnover the whole pool
(operators are shared).
"""

import datetime as dt

from django.contrib import admin
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from agents import turnover
from projects.tenancy import TRAINER, visible_projects
from workforce import bench_strength

MONTHS_SHOWN = 12


def people_view(request):
    today = timezone.localdate()
    last = today.replace(day=1)
    back = last.year * 12 + last.month - 1 - (MONTHS_SHOWN - 1)
    first = dt.date(back // 12, back % 12 + 1, 1)
    errors = ""
    if "from" in request.GET or "to" in request.GET:
        months, problems = turnover.turnover_months(request.GET)
        if not problems:
            first, last = months["from"], months["to"]
        else:
            errors = "; ".join(f"{k}: {' '.join(map(str, v))}" for k, v in problems.items())
    rows = [turnover.as_row(m) for m in turnover.turnover(first_month=first, last_month=last)]
    projects = list(visible_projects(request.user, TRAINER).order_by("code"))
    days = 7
    bench = [
        row.as_dict()
        for project in projects
        for row in bench_strength.bench_strength(
            projects=[project], start_date=bench_strength.default_start(project), days=days
        )
    ]
    context = {
        **admin.site.each_context(request),
        "title": _("People"),
        "first_month": first,
        "last_month": last,
        "errors": errors,
        "turnover": rows,
        "bench": bench,
        "bench_days": days,
        "shrinkage": bench_strength.DEFAULT_SHRINKAGE,
        "rota_factor": bench_strength.rota_factor_setting(),
    }
    return TemplateResponse(request, "admin/people/index.html", context)
