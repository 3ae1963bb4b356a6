"""``manage.py erase_old_callers [--months N] [--dry-run]``: the retention of callers' data,
the same code as the Celery job ``calls.erase_old_callers`` (docs/privacy.md)."""

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from calls.erasure import callers_erase_older_than, retention_months
from contactcenter.errors import DomainError


class Command(BaseCommand):
    help = gettext_lazy(  # type: ignore[assignment]  # lazy: the active language
        "Pseudonymize the callers of calls offered more than N months ago (number, contact "
        "link, recording) and delete the contacts left without a call. Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--months", type=int, help=_("Default: the CALLER_RETENTION_MONTHS setting.")
        )
        parser.add_argument(
            "--dry-run", action="store_true", help=_("Count what would change; change nothing.")
        )

    def handle(self, *args, months=None, dry_run=False, **options):
        try:
            months = retention_months(months)
        except DomainError as exc:
            raise CommandError(_("--months: %(reason)s") % {"reason": exc.message}) from exc
        if not months:
            raise CommandError(
                _("No retention: CALLER_RETENTION_MONTHS is 0 or unset; pass --months N.")
            )
        result, cutoff = callers_erase_older_than(months=months, dry_run=dry_run)
        answer = {**result.as_dict(), "cutoff": cutoff.isoformat(), "dry_run": dry_run}
        self.stdout.write(json.dumps(answer, sort_keys=True))
