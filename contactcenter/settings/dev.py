"""Local development: debug on, a fixed insecure key, console e-mail."""

from contactcenter.settings.base import *  # noqa: F403
from contactcenter.settings.base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="dev-insecure-key-do-not-use-in-production")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["*"])
# The demo's people read Russian; DJANGO_LANGUAGE_CODE=en for English (docs/i18n.md).
LANGUAGE_CODE = env("DJANGO_LANGUAGE_CODE", default="ru")
