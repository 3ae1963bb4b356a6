import logging.config

from celery.signals import setup_logging
from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy


def _logging_from_django_settings(**kwargs):
    """A worker or beat logs through settings.LOGGING (JSON in production, with the task's
    name and id on each record) rather than Celery's own format: Celery configures no
    logging at all when this signal has a receiver."""
    logging.config.dictConfig(settings.LOGGING)


class ContactcenterConfig(AppConfig):
    name = "contactcenter"
    verbose_name = gettext_lazy("Shared plumbing")

    def ready(self):
        setup_logging.connect(_logging_from_django_settings, weak=False, dispatch_uid=__name__)

        from contactcenter import audit

        audit.watch_child_sets()
