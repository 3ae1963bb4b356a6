"""Russian legal identifiers and their control digits (projects.legal_ids), no database."""

import pytest

from projects.legal_ids import (
    account_error,
    account_key_valid,
    bik_error,
    inn_error,
    kpp_error,
    ogrn_error,
    party_errors,
    with_key,
)

# Sberbank's published details: ИНН, ОГРН, БИК and correspondent account.
SBER = {"inn": "7707083893", "ogrn": "1027700132195", "bik": "044525225"}
SBER_CORRESPONDENT = "30101810400000000225"


@pytest.mark.parametrize(
    ("value", "error"),
    [
        ("7707083893", None),
        ("7709876545", None),
        ("500100732259", None),  # a person's 12 digits
        ("7707083894", "This INN's control digits do not match: check the number."),
        ("770708389", "The INN has 10 digits (company) or 12 (person)."),
        ("77070838９3", "The INN has 10 digits (company) or 12 (person)."),  # a wide digit
    ],
)
def test_inn(value, error):
    assert inn_error(value) == error


@pytest.mark.parametrize(
    ("value", "error"),
    [
        ("1027700132195", None),
        ("304500116000157", None),  # ОГРНИП, 15 digits
        ("1027700132194", "This OGRN's control digit does not match: check the number."),
        ("10277001321", "The OGRN has 13 digits (15 for an individual entrepreneur)."),
    ],
)
def test_ogrn(value, error):
    assert ogrn_error(value) == error


def test_kpp_and_bik_formats():
    assert kpp_error("773601001") is None
    assert kpp_error("77360100") == "The KPP has 9 digits."
    assert bik_error("044525225") is None
    assert bik_error("144525225") == "The BIK has 9 digits and starts with 04."


def test_the_bank_of_russia_key_of_both_accounts():
    assert account_key_valid(SBER["bik"], SBER_CORRESPONDENT, correspondent=True)
    assert not account_key_valid(SBER["bik"], "30101810500000000225", correspondent=True)
    assert account_key_valid(SBER["bik"], "40702810938000000001")
    assert not account_key_valid(SBER["bik"], "40702810638000000001")
    # The key is the 9th digit: one value of it matches.
    assert with_key(SBER["bik"], "40702810038000000001") == "40702810938000000001"
    assert account_error("40702810638000000001", SBER["bik"]) == (
        "The account's control key does not match the BIK 044525225: check both."
    )
    assert account_error("4070281063800000000", SBER["bik"]) == "The account has 20 digits."


def test_party_errors_name_each_failing_field_and_skip_blanks():
    assert party_errors(**SBER, account="40702810938000000001") == {}
    assert party_errors(inn="", ogrn="", bik="", account="") == {}
    assert party_errors(
        inn="7707083894",
        kpp="1",
        ogrn="1027700132194",
        bik=SBER["bik"],
        account="40702810638000000001",
        correspondent_account="30101810500000000225",
    ) == {
        "inn": "This INN's control digits do not match: check the number.",
        "kpp": "The KPP has 9 digits.",
        "ogrn": "This OGRN's control digit does not match: check the number.",
        "account": "The account's control key does not match the BIK 044525225: check both.",
        "correspondent_account": (
            "The correspondent account's control key does not match the BIK 044525225: check both."
        ),
    }
