"""The alerts app."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AlertsConfig(AppConfig):
    name = "alerts"
    verbose_name = _("Alerts")

    def ready(self) -> None:
        # The built-in conditions register themselves on import (alerts.conditions).
        from alerts import adherence_conditions, rollup_conditions  # noqa: F401
