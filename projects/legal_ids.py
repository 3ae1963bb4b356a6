"""Russian legal identifiers checked by their control digits: ИНН, КПП, ОГРН, БИК and the
bank accounts' key (the Bank of Russia rule). Each check returns an error text or None."""

import re

from stdnum.ru import inn as stdnum_inn
from stdnum.ru import ogrn as stdnum_ogrn

# Bank of Russia control key: weights 7, 1, 3 repeated over 23 digits; the sum of the
# products ends in 0 (Положение ЦБ РФ № 579-П, «Порядок расчёта контрольного ключа»).
ACCOUNT_WEIGHTS = ((7, 1, 3) * 8)[:23]
KPP_FORMAT = re.compile(r"^[0-9]{4}[0-9A-Z]{2}[0-9]{3}$")


def _digits(value: str, lengths: tuple[int, ...]) -> bool:
    return value.isascii() and value.isdigit() and len(value) in lengths


def inn_error(value: str) -> str | None:
    """ИНН: 10 digits (an organisation) or 12 (a person), control digits included."""
    if not _digits(value, (10, 12)):
        return "The INN has 10 digits (company) or 12 (person)."
    if not stdnum_inn.is_valid(value):
        return "This INN's control digits do not match: check the number."
    return None


def kpp_error(value: str) -> str | None:
    """КПП: 9 characters (it has no control digit), digits only as the database stores it."""
    if not _digits(value, (9,)) or not KPP_FORMAT.match(value):
        return "The KPP has 9 digits."
    return None


def ogrn_error(value: str) -> str | None:
    """ОГРН (13 digits) or ОГРНИП (15), control digit included."""
    if not _digits(value, (13, 15)):
        return "The OGRN has 13 digits (15 for an individual entrepreneur)."
    if not stdnum_ogrn.is_valid(value):
        return "This OGRN's control digit does not match: check the number."
    return None


def bik_error(value: str) -> str | None:
    """БИК: 9 digits, a Russian bank's starting with 04."""
    if not _digits(value, (9,)) or not value.startswith("04"):
        return "The BIK has 9 digits and starts with 04."
    return None


def account_key_valid(bik: str, account: str, *, correspondent: bool = False) -> bool:
    """The account's control key against the bank's БИК: a settlement account is keyed with
    the БИК's last three digits, a correspondent account with '0' and its 5th-6th digits."""
    prefix = "0" + bik[4:6] if correspondent else bik[-3:]
    digits = prefix + account
    return sum(int(d) * w for d, w in zip(digits, ACCOUNT_WEIGHTS, strict=True)) % 10 == 0


def account_error(value: str, bik: str, *, correspondent: bool = False) -> str | None:
    """A 20-digit account whose key matches the БИК (unchecked while the БИК is invalid)."""
    noun = "correspondent account" if correspondent else "account"
    if not _digits(value, (20,)):
        return f"The {noun} has 20 digits."
    if bik_error(bik) is None and not account_key_valid(bik, value, correspondent=correspondent):
        return f"The {noun}'s control key does not match the BIK {bik}: check both."
    return None


def with_key(bik: str, account: str, *, correspondent: bool = False) -> str:
    """``account`` with its key digit (the 9th) set so that it matches ``bik``."""
    for digit in "0123456789":
        candidate = account[:8] + digit + account[9:]
        if account_key_valid(bik, candidate, correspondent=correspondent):
            return candidate
    raise ValueError(account)  # unreachable: weight 3 at the key position covers 0-9


def party_errors(**fields: str) -> dict[str, str]:
    """{field: error} for the given identifiers (blank ones unchecked, except an empty ИНН
    passed as ``inn`` is left to the field's own ``blank`` rule): ``inn``, ``kpp``, ``ogrn``,
    ``bik``, ``account`` and ``correspondent_account`` (keyed with ``bik``)."""
    checks = {"inn": inn_error, "kpp": kpp_error, "ogrn": ogrn_error, "bik": bik_error}
    errors = {}
    for name, check in checks.items():
        value = fields.get(name) or ""
        if value and (error := check(value)):
            errors[name] = error
    bik = fields.get("bik") or ""
    for name in ("account", "correspondent_account"):
        value = fields.get(name) or ""
        if value:
            error = account_error(value, bik, correspondent=name == "correspondent_account")
            if error:
                errors[name] = error
    return errors
