"""Shared plumbing tables: stored answers of idempotent API requests, API tokens."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class IdempotencyRecord(models.Model):
    """The first answer to a POST sent with an ``Idempotency-Key``, replayed on a retry.

    As Stripe defines it: the key is scoped to the caller; the same key with the same
    request gets the first answer again, with another request a 409. Kept 24 hours.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64, help_text="SHA-256 of method, path and body.")
    status_code = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Empty while the first request is still running."
    )
    response_body = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            # Also the index for the look-up of every keyed request.
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_per_user"),
        ]
        indexes = [
            # The daily purge: "records older than 24 hours".
            models.Index(fields=["created_at"], name="idempotency_created_idx"),
        ]

    def __str__(self):
        return f"{self.user_id}:{self.key}"


class ApiToken(models.Model):
    """An API token, kept as a secret: only the SHA-256 digest of its key is stored.

    The key is shown once, when the token is issued (contactcenter.tokens); the row keeps
    its first characters (``prefix``) so people can tell tokens apart, and the digest, by
    which a request's key finds its row. A token may expire (``expires_at``) and is refused
    from ``revoked_at`` on (a rotation may set it a few minutes ahead: the grace period).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100, default="default")
    prefix = models.CharField(
        _("prefix"), max_length=16, help_text=_("The key's first characters, to recognise it.")
    )
    digest = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the key, hex.")
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    last_used_at = models.DateTimeField(
        _("last used"), null=True, blank=True, help_text=_("Recorded at most once a minute.")
    )
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(
        _("revoked"),
        null=True,
        blank=True,
        help_text=_("Refused from this instant on (after a rotation's grace period)."),
    )

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        constraints = [
            # One live token per name and user: a second one is a rotation, not a copy.
            models.UniqueConstraint(
                fields=["user", "name"],
                condition=models.Q(revoked_at__isnull=True),
                name="api_token_live_name_per_user",
            ),
        ]

    def __str__(self):
        return f"{self.prefix}… ({self.name})"

    def refusal(self, now) -> str | None:
        """Why the token is refused at ``now``, or None when it is valid."""
        if self.revoked_at is not None and self.revoked_at <= now:
            return "Token revoked."
        if self.expires_at is not None and self.expires_at <= now:
            return "Token expired."
        return None
