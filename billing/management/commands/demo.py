"""`manage.py demo`: load the demo data set and print how to log in."""

import os

from django.core.management.base import BaseCommand

from billing.demo import DEMO_PASSWORD_ENV, demo_calls, demo_catalogue, demo_users


class Command(BaseCommand):
    help = "Load a small, believable demo: clients, projects, a shared pool and days of calls."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=3, help="Days of calls (default 3).")
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, days, seed, **options):
        _clients, projects, operators = demo_catalogue()
        created = demo_calls(projects=projects, operators=operators, days=days, seed=seed)
        password = os.environ.get(DEMO_PASSWORD_ENV, "admin")
        tokens = demo_users(projects=projects, password=password)
        host = os.environ.get("HOST", "127.0.0.1")
        port = os.environ.get("PORT", "8000")
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo loaded: {len(projects)} projects, {len(operators)} operators, "
                f"{created} new calls over {days} days."
            )
        )
        self.stdout.write(
            f"\n  Admin:      http://{host}:{port}/admin/  user admin / {password}"
            f"  (project manager: pm / {password})"
            f"\n  API docs:   http://{host}:{port}/api/v1/docs/"
            f"\n  API token:  {tokens['admin']}  (superuser)"
            f"\n  PM token:   {tokens['pm']}"
            f"\n  CRM token:  {tokens['volga-crm']}  (integration bound to client volga-bank)"
            f"\n  Try:       curl -H 'Authorization: Token {tokens['admin']}' "
            f"http://{host}:{port}/api/v1/projects/\n"
        )
