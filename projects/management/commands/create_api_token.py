"""``create_api_token USERNAME [--client CODE | --telephony] [--expires-in DAYS] [--name NAME]``:
print a new key, alone."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from contactcenter import tokens
from contactcenter.errors import DomainError
from projects.models import Client, IntegrationAccount


class Command(BaseCommand):
    help = (
        "Issue an API token for USERNAME and print its key, once (only a digest is stored; "
        "rotate_api_token replaces it). With --client CODE, "
        "USERNAME is an integration bound to that client: the user and its binding are "
        "created if missing. With --telephony, USERNAME is the center's telephony "
        "integration (bound to no client: calls of every project, agent states of the whole "
        "pool). The key is printed alone, so scripts can capture it."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--client",
            metavar="CODE",
            help="Bind USERNAME to this client as an integration (creates the user if missing).",
        )
        parser.add_argument("--expires-in", type=int, metavar="DAYS", help="Expire after DAYS.")
        parser.add_argument("--name", default="default", help="The token's name (default).")
        parser.add_argument(
            "--telephony",
            action="store_true",
            help="Make USERNAME the center's telephony integration (creates it if missing).",
        )

    @transaction.atomic
    def handle(self, *args, username, client=None, telephony=False, **options):
        User = get_user_model()
        if telephony and client is not None:
            raise CommandError("--telephony belongs to the center: it takes no --client.")
        if telephony or client is not None:
            user = self._integration_user(User, username, client)
        else:
            try:
                user = User.objects.get(username=username)
            except User.DoesNotExist:
                raise CommandError(
                    f"No user '{username}'. Create it first, or pass --client CODE to create "
                    "an integration user bound to that client."
                ) from None
        try:
            key = tokens.issue_once(
                user, name=options["name"], expires_in_days=options["expires_in"]
            )
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(key)

    def _integration_user(self, User, username, client_code):
        """The integration user, bound to the client ``client_code`` (``None``: the
        center's telephony)."""
        client = None
        if client_code is not None:
            try:
                client = Client.objects.get(code=client_code)
            except Client.DoesNotExist:
                raise CommandError(f"No client with code '{client_code}'.") from None
        kind = IntegrationAccount.Kind.CLIENT if client else IntegrationAccount.Kind.TELEPHONY
        user, created = User.objects.get_or_create(username=username)
        if created:
            # A machine account: it authenticates by token only, never by password.
            user.set_unusable_password()
            user.save(update_fields=["password"])
        account = IntegrationAccount.objects.filter(user=user).first()
        if account is None:
            if user.is_superuser or user.managed_projects.exists():
                raise CommandError(
                    f"'{username}' is an administrator or a project manager; an integration "
                    "needs a user of its own."
                )
            IntegrationAccount.objects.create(user=user, client=client, kind=kind)
        elif account.kind != kind or account.client_id != (client.pk if client else None):
            bound = account.client.code if account.client_id else None
            raise CommandError(
                f"'{username}' is already the integration of client '{bound}'."
                if bound
                else f"'{username}' is already the center's telephony integration."
            )
        return user
