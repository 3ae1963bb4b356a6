"""`manage.py demo`: load the demo data set (a simulated month) and print how to log in."""

import datetime as dt
import os
import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from demo.client_portal import demo_portal
from demo.contracts import demo_absence_ahead
from demo.loaders import (
    DEMO_PASSWORD_ENV,
    DEMO_SCENARIO,
    demo_catalogue,
    demo_period,
    demo_simulate,
    demo_users,
)
from demo.schedule import demo_schedule
from workforce.management.commands.simulate import summary_lines
from workforce.simulation.scenario import scenario_load


class Command(BaseCommand):
    help = gettext_lazy(  # type: ignore[assignment]  # lazy: the active language
        "Load a believable demo: clients, projects and tariffs, then a month of calls and "
        "agent events simulated from scenarios/demo_month.json, rolled up for the dashboard."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            help=gettext_lazy(
                "Simulate the N full days before today instead of the last full month."
            ),
        )
        parser.add_argument("--seed", type=int, help=gettext_lazy("Override the scenario's seed."))

    def handle(self, *args, days=None, seed=None, **options):
        if days is not None and days < 1:
            raise CommandError(_("--days must be at least 1."))
        began = time.perf_counter()
        _clients, projects = demo_catalogue()
        start, span = demo_period(days=days)
        self.stdout.write(
            _("Simulating %(days)s days from %(start)s (scenarios/demo_month.json)...")
            % {"days": span, "start": start}
        )
        summary, loaded, rollup = demo_simulate(days=days, seed=seed)
        self.stdout.write("\n".join(summary_lines(summary)))
        password = os.environ.get(DEMO_PASSWORD_ENV, "admin")
        tokens = demo_users(projects=projects, password=password)
        usual, weeks = demo_schedule(
            scenario=scenario_load(DEMO_SCENARIO),
            month_end=start + dt.timedelta(days=span - 1),
            user=get_user_model().objects.get(username="admin"),
        )
        self.stdout.write(
            _(
                "Schedule: %(usual)s usual shifts up to next Monday, then %(weeks)s weeks "
                "built from the forecast and published (admin: Scheduling)."
            )
            % {"usual": usual, "weeks": len(weeks)}
        )
        demo_portal(period=start.replace(day=1), password=password)
        # A sick leave in the coming week whose replacements the absence's page offers.
        demo_absence_ahead(today=timezone.localdate())
        host = os.environ.get("HOST", "127.0.0.1")
        port = os.environ.get("PORT", "8000")
        self.stdout.write(
            _(
                "  Portal:     http://%(site)s/portal/  users client-viewer and "
                "client-accountant / %(password)s  (client volga-bank)"
            )
            % {"site": f"{host}:{port}", "password": password}
        )
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Demo loaded in %(seconds).0f s: %(projects)s projects, %(operators)s "
                    "operators, %(calls)s new calls (%(duplicates)s already stored) over "
                    "%(days)s days; %(filled)s KPI intervals filled."
                )
                % {
                    "seconds": time.perf_counter() - began,
                    "projects": len(projects),
                    "operators": summary["pool"]["operators"],
                    "calls": loaded.calls_created,
                    "duplicates": loaded.calls_duplicates,
                    "days": span,
                    "filled": rollup.filled,
                }
            )
        )
        self.stdout.write(
            _(
                "\n  Admin:      http://%(site)s/admin/  user admin / %(password)s"
                "  (project manager: pm / %(password)s)"
                "\n  Staff:      qa, trainer, lead / %(password)s"
                "  (QA evaluator, trainer, team lead)"
                "\n  Dashboard:  http://%(site)s/admin/dashboard/  (the demo is last month's)"
                "\n  People:     http://%(site)s/admin/people/"
                "\n  What-if:    http://%(site)s/admin/simulation/"
                "\n  API docs:   http://%(site)s/api/v1/docs/"
                "\n  API token:  %(admin)s  (superuser)"
                "\n  PM token:   %(pm)s"
                "\n  QA token:   %(qa)s  (QA evaluator of volga-hotline and baltic-sales)"
                "\n  CRM token:  %(crm)s  (integration bound to client volga-bank)"
                "\n  Try:       curl -H 'Authorization: Token %(admin)s' "
                "http://%(site)s/api/v1/projects/\n"
            )
            % {
                "site": f"{host}:{port}",
                "password": password,
                "admin": tokens["admin"],
                "pm": tokens["pm"],
                "qa": tokens["qa"],
                "crm": tokens["volga-crm"],
            }
        )
        self.stdout.write(
            _(
                "  Operator:   http://%(site)s/me/  user operator / %(password)s"
                "  (an operator's own schedule, time off, swaps and results)\n"
            )
            % {"site": f"{host}:{port}", "password": password}
        )
