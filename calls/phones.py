"""Callers' numbers: read into E.164 (``phone_normalize``, the one rule every import and
search uses) and shown in full to those who answer for the data, masked to the rest.

The project's managers, the center's superusers and the client's own integration see full
numbers; QA evaluators and trainers see ``+7 901 *** ** 52`` (docs/privacy.md). The API,
the admin and anything else that shows a caller goes through ``phone_mask`` and
``full_number_projects``, so there is one rule.
"""

import re

import phonenumbers
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


_E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")
_SEPARATORS = re.compile(r"[\s()\-.]")
_PHONE_REGIONS = phonenumbers.SUPPORTED_REGIONS


def phone_normalize(text: str | None, region: str = "RU") -> str:
    """A number as the PBX or a person writes it, as E.164; ``""`` if it is none.

    Spaces, brackets, dashes and dots go. A number already in E.164 (``+...``) is kept as
    written. In region ``RU`` 11 digits starting with 7 or 8 are a Russian number (the
    rule the Asterisk importer always had). Otherwise the ``phonenumbers`` library reads
    the digits in ``region`` (the source's default region): a country code without the
    plus (``17038225596`` in ``US``), an international prefix (``0044...``, ``810...``) or
    a trunk prefix (``020 7123 4567`` in ``GB``) make a valid number E.164. A bare
    national number (``9161234567``), an extension (``1001``), ``anonymous`` and any
    number ``phonenumbers`` does not hold valid are not guessed: ``""``. The caller keeps
    the raw text beside it (``Call.caller_raw``), so a blank is never silent.
    """
    number = _SEPARATORS.sub("", text or "")
    if _E164.fullmatch(number):
        return number
    if not number.isdigit():
        return ""
    if region == "RU" and len(number) == 11 and number[0] in "78":
        return "+7" + number[1:]
    return _read_in_region(number, region)


def _read_in_region(digits: str, region: str) -> str:
    """``digits`` read by ``phonenumbers`` in ``region``: E.164 if valid and written with
    a country code, an international prefix or a trunk prefix; else ``""``."""
    if region not in _PHONE_REGIONS:
        return ""
    try:
        parsed = phonenumbers.parse(digits, region, keep_raw_input=True)
    except phonenumbers.NumberParseException:
        return ""
    written_bare = (
        parsed.country_code_source == phonenumbers.CountryCodeSource.FROM_DEFAULT_COUNTRY
        and digits == phonenumbers.national_significant_number(parsed)
    )
    if written_bare or not phonenumbers.is_valid_number(parsed):
        return ""
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


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


def raw_caller_shown(raw: str, project_id: int, full_project_ids: set[int] | None) -> str:
    """The caller id as written, as a reader sees it: to a masked reader every digit but
    the last two is a ``*`` (``17038225596`` -> ``*********96``)."""
    if full_project_ids is None or project_id in full_project_ids:
        return raw
    digits = sum(char.isdigit() for char in raw)
    shown, masked = max(digits - SHOWN_TAIL, 0), []
    for char in raw:
        if char.isdigit():
            masked.append("*" if shown > 0 else char)
            shown -= 1
        else:
            masked.append(char)
    return "".join(masked)


def caller_shown(caller: str, project_id: int, full_project_ids: set[int] | None) -> str:
    """The caller as a reader sees it, given ``full_number_projects`` as a set of ids."""
    if full_project_ids is None or project_id in full_project_ids:
        return caller
    return phone_mask(caller)
