"""``rotate_api_token USERNAME [--name NAME] [--grace-minutes N] [--expires-in DAYS]``."""

import datetime as dt

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from contactcenter import tokens
from contactcenter.errors import DomainError


class Command(BaseCommand):
    help = (
        "Give USERNAME's token NAME a new key and print it, alone; the old key is refused "
        "at once, or after --grace-minutes (at most a day) so clients can switch over."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="default", help="The token's name (default).")
        parser.add_argument(
            "--grace-minutes",
            type=int,
            default=0,
            metavar="N",
            help="Keep the old key valid N more minutes (0 to 1440).",
        )
        parser.add_argument(
            "--expires-in",
            type=int,
            metavar="DAYS",
            help="The new key expires after DAYS (default: the old token's lifetime, if any).",
        )

    def handle(self, *args, username, name, grace_minutes, expires_in, **options):
        max_grace = int(tokens.MAX_GRACE.total_seconds() // 60)
        if not 0 <= grace_minutes <= max_grace:
            raise CommandError(f"--grace-minutes must be 0 to {max_grace}.")
        User = get_user_model()
        try:
            user = User.objects.get(username=username)
        except User.DoesNotExist:
            raise CommandError(f"No user '{username}'.") from None
        token = tokens.live_token(user, name)
        if token is None:
            raise CommandError(
                f"'{username}' has no token named '{name}': create_api_token issues one."
            )
        try:
            expires_at = tokens.expiry(expires_in)
        except DomainError as exc:
            raise CommandError(exc.message) from None
        grace = dt.timedelta(minutes=grace_minutes)
        _, key = tokens.rotate(token, grace=grace, expires_at=expires_at)
        self.stdout.write(key)
