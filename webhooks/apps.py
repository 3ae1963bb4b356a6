"""The webhooks app: subscribes to ``contactcenter.events`` when Django starts."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "webhooks"
    verbose_name = _("Webhooks")

    def ready(self) -> None:
        from contactcenter.events import event_published
        from webhooks.services import on_event_published

        event_published.connect(on_event_published, dispatch_uid="webhooks.on_event_published")
