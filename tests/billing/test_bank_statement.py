"""billing.bank_statement and billing.bank_import: the shared sample, and statements written
here (a full payment, a partial one, an overpayment, an unmatched one); re-import is a no-op."""

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from billing.bank_import import import_statement, invoice_numbers
from billing.bank_statement import StatementError, parse_statement
from billing.frozen import invoice_snapshot
from billing.models import ClientCredit, Invoice, Payment
from billing.payments import balance_due, credit_balance
from contactcenter.errors import DomainError
from tests.factories import ClientFactory, InvoiceFactory, InvoiceLineFactory, ProjectFactory
from tests.factories.billing import clock

SAMPLE = Path("/work/shared/data/bank/kl_to_1c.txt")
OURS = "40702810300000000016"
ISSUED_AT = dt.datetime(2026, 12, 5, 9, tzinfo=dt.UTC)


def test_the_shared_sample_parses():
    statement = parse_statement(SAMPLE.read_bytes())
    assert (statement.version, statement.encoding, statement.accounts) == (
        "1.03",
        "windows-1251",
        (OURS,),
    )
    assert statement.encoding_note == "windows-1251 (Кодировка=Windows)"
    assert [(d.number, d.date, d.amount, d.payer_inn) for d in statement.documents] == [
        ("512", dt.date(2026, 12, 7), Decimal("122000.00"), "7700000023"),
        ("87", dt.date(2026, 12, 8), Decimal("61000.00"), "7700000030"),
        ("3", dt.date(2026, 12, 8), Decimal("18300.00"), "770000000082"),
    ]
    first = statement.documents[0]
    assert (first.payer_name, first.recipient_account, first.received_on) == (
        'ООО "Альфа Пример"',
        OURS,
        dt.date(2026, 12, 7),
    )
    assert [invoice_numbers(d.purpose) for d in statement.documents] == [
        ["INV-2026-000001"],
        ["INV-2026-000002"],
        ["INV-2026-000003"],
    ]


def test_utf8_and_cp866_are_detected_and_said():
    text = SAMPLE.read_bytes().decode("windows-1251")
    utf8 = parse_statement(text.encode("utf-8"))
    assert (utf8.encoding, utf8.encoding_note) == ("utf-8", "UTF-8 (the file declares 'Windows')")
    dos = parse_statement(text.replace("Кодировка=Windows", "Кодировка=DOS").encode("cp866"))
    assert (dos.encoding, dos.documents[0].payer_name) == ("cp866", 'ООО "Альфа Пример"')


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"hello", "Not a bank statement: the first line must be '1CClientBankExchange'."),
        (
            "1CClientBankExchange\r\nВерсияФормата=2.00\r\nКонецФайла\r\n".encode("cp1251"),
            "ВерсияФормата='2.00': only 1.02 and 1.03 are read.",
        ),
        (
            "1CClientBankExchange\r\nВерсияФормата=1.02\r\nСекцияДокумент=Платежное поручение"
            "\r\nНомер=1\r\nДата=01.12.2026\r\nСумма=12,50\r\nКонецДокумента\r\n".encode("cp1251"),
            "Line 3: Сумма='12,50' is not an amount such as 122000.00.",
        ),
    ],
)
def test_a_bad_file_is_refused_with_the_reason(data, message):
    with pytest.raises(StatementError) as error:
        parse_statement(data)
    assert str(error.value) == message


# --- Matching -------------------------------------------------------------------------------


def issued(client, number, total, period, issued_at=ISSUED_AT):
    """An issued invoice with ``total`` (no VAT), the way the trigger allows; its seller's
    account is the statement's."""
    invoice = InvoiceFactory(client=client, period=period, vat_rate=Decimal("0"))
    InvoiceLineFactory(
        invoice=invoice, project=ProjectFactory(client=client), service_period=period, amount=total
    )
    invoice.refresh_from_db()
    snapshot = invoice_snapshot(invoice)
    snapshot["seller"]["account"] = OURS
    Invoice.objects.filter(pk=invoice.pk).update(
        status="issued", number=number, issued_at=issued_at, snapshot=snapshot
    )
    return Invoice.objects.get(pk=invoice.pk)


def document(number, date, amount, payer_inn, purpose, payer_account="40702810400000000023"):
    return (
        f"СекцияДокумент=Платежное поручение\r\nНомер={number}\r\nДата={date}\r\n"
        f"Сумма={amount}\r\nПлательщикСчет={payer_account}\r\nПлательщикИНН={payer_inn}\r\n"
        f"Плательщик1=Плательщик {payer_inn}\r\nПолучательСчет={OURS}\r\n"
        f"ДатаПоступило={date}\r\nНазначениеПлатежа={purpose}\r\nКонецДокумента\r\n"
    )


def statement(*documents):
    text = (
        "1CClientBankExchange\r\nВерсияФормата=1.02\r\nКодировка=Windows\r\n"
        f"ДатаНачала=07.12.2026\r\nДатаКонца=08.12.2026\r\nРасчСчет={OURS}\r\n"
        + "".join(documents)
        + "КонецФайла\r\n"
    )
    return text.encode("cp1251")


@pytest.fixture(autouse=True)
def after_the_statement():
    """The statements are of 7-8 December 2026; a payment cannot be dated in the future."""
    with clock("2026-12-09T09:00:00"):
        yield


@pytest.fixture
def world(db):
    alfa = ClientFactory(code="alfa", tax_id="7700000023")
    beta = ClientFactory(code="beta", tax_id="7700000030")
    return {
        "full": issued(alfa, "INV-2026-000001", Decimal("122000.00"), dt.date(2026, 10, 1)),
        "partial": issued(beta, "INV-2026-000002", Decimal("100000.00"), dt.date(2026, 10, 1)),
        "over": issued(alfa, "INV-2026-000004", Decimal("50000.00"), dt.date(2026, 11, 1)),
    }


STATEMENT = statement(
    document("512", "07.12.2026", "122000.00", "7700000023", "Оплата по счёту INV-2026-000001"),
    document("87", "08.12.2026", "61000.00", "7700000030", "Оплата счета № inv 2026-000002",
             payer_account="40702810700000000030"),
    document("90", "08.12.2026", "50300.00", "7700000023", "Оплата по счёту INV-2026-000004"),
    document("3", "08.12.2026", "18300.00", "770000000082", "Оплата за услуги",
             payer_account="40802810600000000011"),
)  # fmt: skip


def balances(world):
    return {name: str(balance_due(Invoice.objects.get(pk=inv.pk))) for name, inv in world.items()}


def test_full_partial_over_and_unmatched(world):
    answer = import_statement(data=STATEMENT)

    assert [(r["number"], r["invoice"], r["applied"], r["credit"], r["balance_due"], r["status"])
            for r in answer["matched"]] == [
        ("512", "INV-2026-000001", "122000.00", "0.00", "0.00", "paid"),
        ("87", "INV-2026-000002", "61000.00", "0.00", "39000.00", "issued"),
        ("90", "INV-2026-000004", "50000.00", "300.00", "0.00", "paid"),
    ]  # fmt: skip
    assert answer["matched"][2]["message"] == (
        "INV-2026-000004 paid; overpaid by 300.00 RUB, kept as credit of client alfa."
    )
    assert [(r["number"], r["reason"]) for r in answer["unmatched"]] == [
        (
            "3",
            "No invoice number in the purpose, and no issued invoice of a client with ИНН "
            "770000000082.",
        )
    ]
    assert (answer["ambiguous"], answer["already_imported"], answer["encoding"]) == (
        [],
        [],
        "windows-1251 (Кодировка=Windows)",
    )
    assert balances(world) == {"full": "0.00", "partial": "39000.00", "over": "0.00"}
    full = Invoice.objects.get(pk=world["full"].pk)
    assert (full.status, full.paid_at) == (
        "paid",
        dt.datetime(2026, 12, 6, 21, tzinfo=dt.UTC),  # 7 December 00:00 in Moscow
    )
    assert credit_balance(world["full"].client) == Decimal("300.00")
    assert Payment.objects.count() == 3

    again = import_statement(data=STATEMENT)

    assert [r["number"] for r in again["already_imported"]] == ["512", "87", "90"]
    assert (again["matched"], Payment.objects.count(), ClientCredit.objects.count()) == ([], 3, 1)
    assert balances(world) == {"full": "0.00", "partial": "39000.00", "over": "0.00"}


def test_a_dry_run_previews_and_stores_nothing(world):
    answer = import_statement(data=STATEMENT, dry_run=True)
    assert [r["balance_due"] for r in answer["matched"]] == ["0.00", "39000.00", "0.00"]
    assert (Payment.objects.count(), ClientCredit.objects.count()) == (0, 0)
    assert balances(world) == {"full": "122000.00", "partial": "100000.00", "over": "50000.00"}


def test_without_a_number_the_inn_and_the_amount_decide(world):
    answer = import_statement(
        data=statement(
            document("7", "08.12.2026", "100000.00", "7700000030", "Оплата услуг за октябрь"),
            document("8", "08.12.2026", "5.00", "7700000023", "Оплата по счёту INV-2026-000002"),
        )
    )
    assert [(r["number"], r["invoice"], r["reason"]) for r in answer["matched"]] == [
        ("7", "INV-2026-000002", "By the payer's ИНН 7700000030 and the amount (no number given).")
    ]
    assert [(r["number"], r["reason"]) for r in answer["ambiguous"]] == [
        (
            "8",
            "The purpose names INV-2026-000002 of client beta (ИНН 7700000030), but the "
            "payer's ИНН is 7700000023.",
        )
    ]


def test_a_statement_of_another_account_is_refused(world):
    other = STATEMENT.replace(OURS.encode(), b"40702810000000000099")
    with pytest.raises(DomainError) as error:
        import_statement(data=other)
    assert error.value.details == {
        "file": [
            "The statement is of account(s) 40702810000000000099, none of which is our "
            "settlement account."
        ]
    }
    assert Payment.objects.count() == 0


def test_the_shared_sample_matches_its_invoices(db):
    alfa = ClientFactory(code="alfa-primer", tax_id="7700000023")
    beta = ClientFactory(code="beta-primer", tax_id="7700000030")
    one = issued(alfa, "INV-2026-000001", Decimal("122000.00"), dt.date(2026, 11, 1))
    two = issued(beta, "INV-2026-000002", Decimal("61000.00"), dt.date(2026, 11, 1))

    answer = import_statement(data=SAMPLE.read_bytes())

    assert [(r["invoice"], r["status"]) for r in answer["matched"]] == [
        (one.number, "paid"),
        (two.number, "paid"),
    ]
    assert [(r["number"], r["reason"]) for r in answer["unmatched"]] == [
        ("3", "The purpose names INV-2026-000003, which does not exist.")
    ]
