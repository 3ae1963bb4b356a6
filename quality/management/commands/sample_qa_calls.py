"""``manage.py sample_qa_calls --week 2026-10-05 --seed 42 [--project CODE]``: the weekly
QA sample, the same code as the Celery job ``calls.sample_qa_calls``."""

import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError

from projects.models import Project
from quality.sampling import qa_sample_week


def _date(value):
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--week: {value!r} is not a date YYYY-MM-DD.") from exc


class Command(BaseCommand):
    help = "Pick the week's calls to evaluate per operator and project (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--week",
            type=_date,
            help="Any local date of the week (its Monday is used); default: the last "
            "complete week of each project.",
        )
        parser.add_argument("--seed", default="0", help="Seed of the random picks.")
        parser.add_argument("--project", action="append", help="Project code (repeatable).")

    def handle(self, *args, week, seed, project, **options):
        projects = None
        if project:
            projects = Project.objects.filter(code__in=project)
            unknown = set(project) - set(projects.values_list("code", flat=True))
            if unknown:
                raise CommandError(f"Unknown project(s): {', '.join(sorted(unknown))}.")
        result = qa_sample_week(week=week, seed=seed, projects=projects)
        self.stdout.write(json.dumps(result.as_dict(), sort_keys=True))
