"""Test run: real PostgreSQL, fast hashing, tasks eager unless a test starts a worker."""

from contactcenter.settings.base import *  # noqa: F403
from contactcenter.settings.base import env

# The test run creates and drops its database, which needs CREATEDB: it connects as the
# superuser unless DATABASE_URL says otherwise (tests/contactcenter/test_database_roles.py
# proves the guard as the application role). Its flush may TRUNCATE the invoice tables
# (contactcenter.db_backend), which billing's guard refuses to anyone else.
DATABASES["default"].update(  # noqa: F405
    env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/contactcenter"),
    ENGINE="contactcenter.db_backend",
)

SECRET_KEY = "test-key-not-secret"  # noqa: S105
DEBUG = False
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# The tests' webhook receivers listen on loopback (production refuses such URLs).
WEBHOOK_ALLOW_PRIVATE_URLS = env.bool("WEBHOOK_ALLOW_PRIVATE_URLS", default=True)
# This process's memory, whatever CACHE_URL says: the rate and lockout counters of one test
# run never meet another's (tests/conftest.py empties the cache before each test).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Tests write rollup rows directly; the KPI cache's own tests turn it on.
KPI_CACHE_SECONDS = 0
# The fuzz and load tests send thousands of requests a minute as one user; the throttle
# tests (tests/contactcenter/test_login_throttling.py) set the rates they check.
REST_FRAMEWORK = {
    **REST_FRAMEWORK,  # noqa: F405
    "DEFAULT_THROTTLE_RATES": {"anon": "100000/minute", "user": "100000/minute"},
}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# The test server serves static files itself; whitenoise would only warn that nobody ran
# collectstatic for the test run.
MIDDLEWARE = [name for name in MIDDLEWARE if not name.startswith("whitenoise.")]  # noqa: F405
# English unless a test asks for Russian (Accept-Language, the language cookie), whatever
# the environment's DJANGO_LANGUAGE_CODE says.
LANGUAGE_CODE = "en"

# The live state in a Redis DB of the tests' own, under a prefix naming this test database,
# so two test runs on one machine never meet (tests/live/conftest.py empties it per test).
LIVE_REDIS_URL = env("LIVE_REDIS_URL", default="redis://127.0.0.1:6379/14")
LIVE_KEY_PREFIX = f"test:{DATABASES['default']['NAME']}:"  # noqa: F405
# The push in this process's memory (tests/live/test_push.py listens on it).
CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
