"""``create_client_user USERNAME --client CODE [--role viewer|accountant] [--password P]``:
a portal user of a client (docs/portal.md); the password is prompted when not given."""

import getpass

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from contactcenter.errors import DomainError
from projects.models import ClientUser
from projects.services import client_user_create


class Command(BaseCommand):
    help = gettext_lazy(  # type: ignore[assignment]  # lazy: the active language
        "Create a client's portal user (never staff): a viewer reads service, calls and QA; "
        "an accountant also invoices and payments. The password is asked for unless given."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--client", required=True, metavar="CODE")
        parser.add_argument(
            "--role", default=ClientUser.Role.VIEWER, choices=ClientUser.Role.values
        )
        parser.add_argument("--password", help=gettext_lazy("Asked for when not given."))

    def handle(self, *args, username, client, role, password=None, **options):
        if password is None:
            password = getpass.getpass(_("Password: "))
            if password != getpass.getpass(_("Password (again): ")):
                raise CommandError(_("password: the two entries differ."))
        try:
            binding = client_user_create(
                username=username, client_code=client, role=role, password=password
            )
        except DomainError as exc:
            fields = "; ".join(
                f"{field}: {' '.join(messages)}" for field, messages in exc.details.items()
            )
            raise CommandError(f"{exc.message} {fields}") from None
        self.stdout.write(
            _("Client user %(user)s of %(client)s (%(role)s) created; log in at /portal/login/.")
            % {"user": binding.user.username, "client": binding.client.code, "role": binding.role}
        )
