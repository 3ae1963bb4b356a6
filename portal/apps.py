"""The client portal: a client's own people read their service, calls, QA and money."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Client portal")
    default_auto_field = "django.db.models.BigAutoField"
