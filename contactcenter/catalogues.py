"""The project's translation catalogues: where they are, and compiling the stale ones.

Each app keeps its own: ``<app>/locale/ru/LC_MESSAGES/django.po`` (docs/i18n.md).
``make messages`` compiles them all with ``manage.py compilemessages``; the test run
compiles a stale one itself (``compile_stale``), so a bare ``pytest`` reads fresh ones.
"""

import shutil
import subprocess
from pathlib import Path

from django.conf import settings

LANGUAGE = "ru"


def catalogue_paths(language: str = LANGUAGE) -> dict[str, Path]:
    """``{app label: its .po path}`` of every project app with a ``language`` catalogue."""
    base = Path(settings.BASE_DIR)
    found = {}
    for po in sorted(base.glob(f"*/locale/{language}/LC_MESSAGES/django.po")):
        found[po.parents[3].name] = po
    return found


def compile_stale(language: str = LANGUAGE) -> list[Path]:
    """Compile each catalogue whose .mo is missing or older than its .po; the ones compiled.

    Needs GNU gettext's ``msgfmt`` (Debian: ``apt-get install gettext``); without it,
    nothing is compiled and the pages stay in English.
    """
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        return []
    compiled = []
    for po in catalogue_paths(language).values():
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            subprocess.run([msgfmt, "--check-format", "-o", str(mo), str(po)], check=True)  # noqa: S603
            compiled.append(po)
    return compiled
