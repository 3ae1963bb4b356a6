"""``manage.py generate_invoices --period YYYY-MM [--client CODE]``: the Celery job's code."""

from django.core.management.base import BaseCommand, CommandError

from billing.invoicing import invoice_generate
from contactcenter.errors import DomainError
from contactcenter.periods import parse_month


def period_argument(value):
    """argparse type of --period: 'YYYY-MM' -> the month's first day."""
    return parse_month(value)


class Command(BaseCommand):
    help = "Generate (or rebuild the drafts of) the invoices of a month; issued ones are kept."

    def add_arguments(self, parser):
        parser.add_argument("--period", required=True, type=period_argument, help="YYYY-MM")
        parser.add_argument("--client", help="Only this client's code.")

    def handle(self, *args, period, client, **options):
        try:
            invoices = invoice_generate(period=period, client_code=client)
        except DomainError as error:
            raise CommandError(f"{error.message} {error.details}") from error
        for invoice in invoices:
            self.stdout.write(
                f"{invoice.client.code}\t{invoice.number or 'draft'}\t"
                f"{invoice.total} {invoice.currency}"
            )
        self.stdout.write(f"{len(invoices)} invoice(s) for {period:%Y-%m}.")
