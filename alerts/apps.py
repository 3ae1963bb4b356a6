"""The alerts app."""

from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "alerts"
    verbose_name = "Alerts"

    def ready(self) -> None:
        # The built-in conditions register themselves on import (alerts.conditions).
        from alerts import adherence_conditions, rollup_conditions  # noqa: F401
