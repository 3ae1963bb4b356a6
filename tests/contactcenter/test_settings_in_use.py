"""The suite runs on the test settings, whatever the shell exported."""

from django.conf import settings

from contactcenter.celery import app


def test_the_suite_runs_on_the_test_settings():
    assert settings.SETTINGS_MODULE == "contactcenter.settings.test"
    assert settings.PASSWORD_HASHERS == ["django.contrib.auth.hashers.MD5PasswordHasher"]
    assert app.conf.task_always_eager is True
