"""The project's translation catalogues: where they are, and compiling the stale ones.

Each app keeps its own: ``<app>/locale/ru/LC_MESSAGES/django.po`` (docs/i18n.md).
``make messages`` compiles them all with ``manage.py compilemessages``; the test run
compiles a stale one itself (``compile_stale``), so a bare ``pytest`` reads fresh ones.
"""

import shutil

# msgfmt, a fixed program found on PATH, with our own catalogue paths.
import subprocess  # nosec B404
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
            subprocess.run([msgfmt, "--check-format", "-o", str(mo), str(po)], check=True)  # noqa: S603  # nosec B603
            compiled.append(po)
    return compiled


class Entry:
    """One message of a .po file: its context, id, plural id, translations and flags."""

    def __init__(self) -> None:
        self.context: str | None = None
        self.msgid = ""
        self.msgid_plural: str | None = None
        self.msgstr: dict[int, str] = {}
        self.flags: set[str] = set()

    @property
    def translated(self) -> bool:
        """Every form has a non-empty translation and the entry is not fuzzy."""
        return "fuzzy" not in self.flags and bool(self.msgstr) and all(self.msgstr.values())


def _unquote(text: str) -> str:
    body = text.strip()[1:-1]
    return (
        body.replace("\\\\", "\0")
        .replace('\\"', '"')
        .replace("\\n", "\n")
        .replace("\\t", "\t")
        .replace("\0", "\\")
    )


class _Reader:
    """Reads a .po file line by line into entries (``read_catalogue``)."""

    def __init__(self) -> None:
        self.entries: list[Entry] = []
        self.entry = Entry()
        self.field: str | int | None = None

    def flush(self) -> None:
        if self.entry.msgid:
            self.entries.append(self.entry)
        self.entry = Entry()

    def comment(self, line: str) -> None:
        if self.field is not None and self.field != "comment":
            self.flush()
        if line.startswith("#,"):
            self.entry.flags.update(flag.strip() for flag in line[2:].split(","))
        self.field = "comment"

    def continuation(self, text: str) -> None:
        entry, field = self.entry, self.field
        if field == "msgctxt":
            entry.context = (entry.context or "") + text
        elif field == "msgid":
            entry.msgid += text
        elif field == "msgid_plural":
            entry.msgid_plural = (entry.msgid_plural or "") + text
        elif isinstance(field, int):
            entry.msgstr[field] += text

    def keyword(self, keyword: str, text: str) -> None:
        if keyword in ("msgctxt", "msgid") and self.field not in (None, "comment", "msgctxt"):
            self.flush()
        if keyword == "msgctxt":
            self.entry.context, self.field = text, "msgctxt"
        elif keyword == "msgid":
            self.entry.msgid, self.field = text, "msgid"
        elif keyword == "msgid_plural":
            self.entry.msgid_plural, self.field = text, "msgid_plural"
        elif keyword.startswith("msgstr"):
            index = int(keyword[7:-1]) if "[" in keyword else 0
            self.entry.msgstr[index], self.field = text, index


def read_catalogue(path: Path) -> list[Entry]:
    """The messages of a .po file, the header (empty msgid) left out."""
    reader = _Reader()
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        if line.startswith("#"):
            reader.comment(line)
        elif line.startswith('"'):
            reader.continuation(_unquote(line))
        else:
            keyword, _space, rest = line.partition(" ")
            reader.keyword(keyword, _unquote(rest))
    reader.flush()
    return reader.entries
