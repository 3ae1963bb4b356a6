"""``manage.py generate_invoices --period YYYY-MM [--client CODE]``: the Celery job's code."""

import argparse
import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext

from billing.invoicing import invoice_generate
from contactcenter.errors import DomainError
from contactcenter.periods import parse_month


def period_argument(value: str) -> dt.date:
    """argparse type of --period: 'YYYY-MM' -> the month's first day."""
    try:
        return parse_month(value)
    except ValueError:
        text = _("--period: %(value)s is not a month YYYY-MM.") % {"value": repr(value)}
        raise argparse.ArgumentTypeError(text) from None


class Command(BaseCommand):
    help = gettext_lazy(  # type: ignore[assignment]  # lazy: the active language
        "Generate (or rebuild the drafts of) the invoices of a month; issued ones are kept."
    )

    def add_arguments(self, parser):
        parser.add_argument("--period", required=True, type=period_argument, help=_("YYYY-MM"))
        parser.add_argument("--client", help=_("Only this client's code."))

    def handle(self, *args, period, client, **options):
        try:
            invoices = invoice_generate(period=period, client_code=client)
        except DomainError as error:
            raise CommandError(f"{error.message} {error.details}") from error
        for invoice in invoices:
            number = invoice.number or pgettext("invoice is", "draft")
            self.stdout.write(
                f"{invoice.client.code}\t{number}\t{invoice.total} {invoice.currency}"
            )
        count = len(invoices)
        self.stdout.write(
            ngettext(
                "%(count)s invoice(s) for %(period)s.",
                "%(count)s invoice(s) for %(period)s.",
                count,
            )
            % {"count": count, "period": f"{period:%Y-%m}"}
        )
