from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LiveConfig(AppConfig):
    name = "live"
    verbose_name = _("Live")

    def ready(self):
        # The pool's agent events reach the live state through agents' signal (agents sits
        # below live and knows nothing of it).
        from live import receivers  # noqa: F401
