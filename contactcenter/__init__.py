"""Project package: settings, the Celery app, the URL root and shared API plumbing.

It depends on no app; the apps depend on it.
"""

from contactcenter.celery import app as celery_app

__all__ = ["celery_app"]
