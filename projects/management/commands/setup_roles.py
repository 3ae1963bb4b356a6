"""`manage.py setup_roles`: create or refresh the staff role groups (run after migrate)."""

from django.core.management.base import BaseCommand

from projects.roles import roles_setup


class Command(BaseCommand):
    help = (
        "Create or refresh the staff groups (project managers, QA evaluators, trainers) "
        "and their admin permissions."
    )

    def handle(self, *args, **options):
        for name, count in roles_setup().items():
            self.stdout.write(f"{name}: {count} permissions.")
