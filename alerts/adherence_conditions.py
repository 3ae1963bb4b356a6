"""The schedule adherence condition (docs/alerts.md): an operator on shift who has been out
of adherence longer than ``ALERT_OUT_OF_ADHERENCE_SECONDS`` without a break, pool-wide."""

import datetime as dt
from collections.abc import Mapping, Sequence

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from agents.models import Operator
from alerts.conditions import Reading, register
from projects.models import Project
from workforce import adherence_report


@register("out_of_adherence", _("Operators out of adherence"))
def out_of_adherence(projects: Sequence[Project], now: dt.datetime) -> Mapping[None, Reading]:
    """One pool-wide reading: breached while an operator's current out-of-adherence stretch
    exceeds the threshold; value the longest such stretch (seconds), 0 when none."""
    del projects  # pool-wide: shifts are the pool's planning
    limit = getattr(settings, "ALERT_OUT_OF_ADHERENCE_SECONDS", 600)
    stretches = adherence_report.out_of_adherence_now(now)
    over = {pk: seconds for pk, seconds in stretches.items() if seconds > limit}
    if not over:
        return {None: Reading(breached=False, value=0, threshold=limit, detail="")}
    codes = dict(Operator.objects.filter(pk__in=over).values_list("pk", "code"))
    names = ", ".join(
        f"{codes[pk]} {seconds} s" for pk, seconds in sorted(over.items(), key=lambda i: -i[1])
    )
    return {
        None: Reading(
            breached=True,
            value=max(over.values()),
            threshold=limit,
            detail=f"{len(over)} out of adherence over {limit} s: {names}",
        )
    }
