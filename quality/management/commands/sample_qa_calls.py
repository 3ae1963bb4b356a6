"""``manage.py sample_qa_calls --week 2026-10-05 --seed 42 [--project CODE]``: the weekly
QA sample, the same code as the Celery job ``calls.sample_qa_calls``."""

import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from projects.models import Project
from quality.sampling import SampleResult, qa_sample_week


def _date(value):
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(
            _("--week: %(value)s is not a date YYYY-MM-DD.") % {"value": repr(value)}
        ) from exc


class Command(BaseCommand):
    help = gettext_lazy("Pick the week's calls to evaluate per operator and project (idempotent).")  # type: ignore[assignment]  # lazy: the active language

    def add_arguments(self, parser):
        parser.add_argument(
            "--week",
            type=_date,
            help=_(
                "Any local date of the week (its Monday is used); default: the last "
                "complete week of each project."
            ),
        )
        parser.add_argument("--seed", default="0", help=_("Seed of the random picks."))
        parser.add_argument("--project", action="append", help=_("Project code (repeatable)."))

    def handle(self, *args, week, seed, project, **options):
        projects = None
        if project:
            projects = Project.objects.filter(code__in=project)
            unknown = set(project) - set(projects.values_list("code", flat=True))
            if unknown:
                raise CommandError(
                    ngettext(
                        "Unknown project: %(codes)s.", "Unknown projects: %(codes)s.", len(unknown)
                    )
                    % {"codes": ", ".join(sorted(unknown))}
                )
        result = qa_sample_week(week=week, seed=seed, projects=projects)
        # The result as JSON on stdout (scripts read it); a sentence for people on stderr.
        self.stdout.write(json.dumps(result.as_dict(), sort_keys=True))
        self.stderr.write(_summary(result))


def _summary(result: SampleResult) -> str:
    """``7 calls sampled; 7 draft evaluations made; 0 operator weeks already sampled.``"""
    parts = [
        ngettext("%(count)d call sampled", "%(count)d calls sampled", result.samples)
        % {"count": result.samples},
        ngettext(
            "%(count)d draft evaluation made",
            "%(count)d draft evaluations made",
            result.evaluations,
        )
        % {"count": result.evaluations},
        ngettext(
            "%(count)d operator week already sampled",
            "%(count)d operator weeks already sampled",
            result.skipped_operators,
        )
        % {"count": result.skipped_operators},
    ]
    return "; ".join(parts) + "."
