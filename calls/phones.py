"""Callers' numbers as shown: in full to those who answer for the data, masked to the rest.

The project's managers, the center's superusers and the client's own integration see full
numbers; QA evaluators and trainers see ``+7 901 *** ** 52`` (docs/privacy.md). The API,
the admin and anything else that shows a caller goes through ``phone_mask`` and
``full_number_projects``, so there is one rule.
"""

import re

from django.db.models import QuerySet

from projects.api.scoping import MANAGER, is_integration, visible_projects

# ITU-T E.164 country codes of one and two digits; every other code has three. (Codes are
# prefix-free, so the first digits of a number decide the length of its code.)
_ONE_DIGIT_CODES = frozenset({"1", "7"})
_TWO_DIGIT_LIST = (
    "20 27 30 31 32 33 34 36 39 40 41 43 44 45 46 47 48 49 51 52 53 54 55 56 57 58 60 61 62 "
    "63 64 65 66 81 82 84 86 90 91 92 93 94 95 98"
)
_TWO_DIGIT_CODES = frozenset(_TWO_DIGIT_LIST.split())
SHOWN_HEAD = 3  # first digits of the national number left visible
SHOWN_TAIL = 2  # last digits left visible
MIN_HIDDEN = 3  # a short number hides at least this many digits

_E164_RE = re.compile(r"^\+[1-9][0-9]{6,14}$")
_SEPARATORS_RE = re.compile(r"[\s()\-.]")


def phone_normalize(text: str) -> str:
    """A number as people type it (``8 (901) 123-45-52``) as E.164, or ``""`` if it is none.

    The one rule for callers (the queue_log import uses it too): spaces, brackets, dashes
    and dots go; 11 digits starting with 7 or 8 are a Russian number; ``+`` and a valid
    E.164 number is kept; anything else (``anonymous``, an extension) is blank, "withheld".
    """
    number = _SEPARATORS_RE.sub("", text or "")
    if number.isdigit() and len(number) == 11 and number[0] in "78":
        return "+7" + number[1:]
    if _E164_RE.fullmatch(number):
        return number
    return ""


def country_code(e164: str) -> str:
    """The country calling code of an E.164 number, without the ``+``."""
    digits = e164.lstrip("+")
    if digits[:1] in _ONE_DIGIT_CODES:
        return digits[:1]
    if digits[:2] in _TWO_DIGIT_CODES:
        return digits[:2]
    return digits[:3]


def phone_mask(e164: str) -> str:
    """``+79011234552`` -> ``+7 901 *** ** 52``; blank (withheld or erased) stays blank.

    The country code, the first 3 digits of the national number and the last 2 stay; each
    hidden digit is a ``*``, in groups of three. A national number shorter than 8 digits
    shows fewer, so that at least 3 digits are always hidden (``+354 55 *** 34``)."""
    if not e164:
        return ""
    code = country_code(e164)
    national = e164.lstrip("+")[len(code) :]
    tail = min(SHOWN_TAIL, max(len(national) - MIN_HIDDEN, 0))
    head = min(SHOWN_HEAD, max(len(national) - tail - MIN_HIDDEN, 0))
    hidden = len(national) - head - tail
    stars = " ".join("*" * min(3, hidden - start) for start in range(0, hidden, 3))
    parts = [f"+{code}", national[:head], stars, national[len(national) - tail :] if tail else ""]
    return " ".join(part for part in parts if part)


def full_number_projects(user) -> QuerySet | None:
    """The projects whose callers ``user`` sees in full; ``None``: every project's.

    Superusers and integration tokens (the client is the data controller) see all they
    reach; staff see full numbers on the projects they manage only, so a QA evaluator or a
    trainer sees masked numbers everywhere."""
    if user.is_superuser or is_integration(user):
        return None
    return visible_projects(user, MANAGER)


def caller_shown(caller: str, project_id: int, full_project_ids: set[int] | None) -> str:
    """The caller as a reader sees it, given ``full_number_projects`` as a set of ids."""
    if full_project_ids is None or project_id in full_project_ids:
        return caller
    return phone_mask(caller)
