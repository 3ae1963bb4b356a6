"""Production settings pass Django's deployment checklist, with secrets from the environment."""

import os
import subprocess
import sys

from django.conf import settings


def test_check_deploy_is_clean_with_production_settings():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "contactcenter.settings.prod",
        "DJANGO_SECRET_KEY": "x" * 32 + "-a-long-random-production-secret-" + "y" * 16,
        "DJANGO_ALLOWED_HOSTS": "cc.example.com",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_SECRET_KEY"},
        "DJANGO_SETTINGS_MODULE": "contactcenter.settings.prod",
        "DJANGO_ALLOWED_HOSTS": "cc.example.com",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr
