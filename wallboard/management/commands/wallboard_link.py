"""Print a TV link to the live wallboard: read-only, no login, expires (wallboard.tv).

manage.py wallboard_link --projects hotline,sales --days 30 [--pool]
    [--base-url https://cc.example.com]
"""

from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from contactcenter.errors import DomainError
from projects.models import Project
from wallboard import tv

MAX_CODES = 500


class Command(BaseCommand):
    help = "Print a signed TV link to the live wallboard of the given projects."

    def add_arguments(self, parser):
        parser.add_argument(
            "--projects", required=True, help="project codes, comma-separated (or 'all')"
        )
        parser.add_argument("--days", type=int, default=tv.DEFAULT_DAYS, help="valid this long")
        parser.add_argument("--pool", action="store_true", help="show the pool's agent grid")
        parser.add_argument(
            "--base-url", default="http://127.0.0.1:8000", help="where the server answers"
        )

    def handle(self, *args, **options):
        codes = [code.strip() for code in options["projects"].split(",") if code.strip()]
        if not codes or len(codes) > MAX_CODES:
            raise CommandError(f"--projects: 1 to {MAX_CODES} project codes.")
        found = Project.objects.all()
        if codes != ["all"]:
            found = found.filter(code__in=codes)
        ids = dict(found.values_list("code", "pk"))
        unknown = sorted(set(codes) - set(ids) - {"all"})
        if unknown:
            raise CommandError(f"--projects: no project {', '.join(unknown)}.")
        try:
            token = tv.sign(list(ids.values()), days=options["days"], pool=options["pool"])
        except DomainError as error:
            raise CommandError(f"--days: {error}") from error
        path = reverse("wallboard_tv", args=[token])
        self.stdout.write(options["base_url"].rstrip("/") + path)
