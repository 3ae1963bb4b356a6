"""`manage.py demo`: load the demo data set (a simulated month) and print how to log in."""

import os
import time

from django.core.management.base import BaseCommand, CommandError

from demo.loaders import DEMO_PASSWORD_ENV, demo_catalogue, demo_period, demo_simulate, demo_users
from workforce.management.commands.simulate import summary_lines


class Command(BaseCommand):
    help = (
        "Load a believable demo: clients, projects and tariffs, then a month of calls and "
        "agent events simulated from scenarios/demo_month.json, rolled up for the dashboard."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            help="Simulate the N full days before today instead of the last full month.",
        )
        parser.add_argument("--seed", type=int, help="Override the scenario's seed.")

    def handle(self, *args, days=None, seed=None, **options):
        if days is not None and days < 1:
            raise CommandError("--days must be at least 1.")
        began = time.perf_counter()
        _clients, projects = demo_catalogue()
        start, span = demo_period(days=days)
        self.stdout.write(f"Simulating {span} days from {start} (scenarios/demo_month.json)...")
        summary, loaded, rollup = demo_simulate(days=days, seed=seed)
        self.stdout.write("\n".join(summary_lines(summary)))
        password = os.environ.get(DEMO_PASSWORD_ENV, "admin")
        tokens = demo_users(projects=projects, password=password)
        host = os.environ.get("HOST", "127.0.0.1")
        port = os.environ.get("PORT", "8000")
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo loaded in {time.perf_counter() - began:.0f} s: {len(projects)} projects, "
                f"{summary['pool']['operators']} operators, {loaded.calls_created} new calls "
                f"({loaded.calls_duplicates} already stored) over {span} days; "
                f"{rollup.filled} KPI intervals filled."
            )
        )
        self.stdout.write(
            f"\n  Admin:      http://{host}:{port}/admin/  user admin / {password}"
            f"  (project manager: pm / {password})"
            f"\n  Staff:      qa, trainer, lead / {password}  (QA evaluator, trainer, team lead)"
            f"\n  Dashboard:  http://{host}:{port}/admin/dashboard/  (the demo is last month's)"
            f"\n  People:     http://{host}:{port}/admin/people/"
            f"\n  What-if:    http://{host}:{port}/admin/simulation/"
            f"\n  API docs:   http://{host}:{port}/api/v1/docs/"
            f"\n  API token:  {tokens['admin']}  (superuser)"
            f"\n  PM token:   {tokens['pm']}"
            f"\n  QA token:   {tokens['qa']}  (QA evaluator of volga-hotline and baltic-sales)"
            f"\n  CRM token:  {tokens['volga-crm']}  (integration bound to client volga-bank)"
            f"\n  Try:       curl -H 'Authorization: Token {tokens['admin']}' "
            f"http://{host}:{port}/api/v1/projects/\n"
        )
