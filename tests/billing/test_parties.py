"""Parties as data on invoices (issue 15): the client's seller in the snapshot and on the
счёт, the contract on its "Основание" line, the due date from the payment terms."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from pypdf import PdfReader

from billing.invoices import invoice_issue
from billing.invoicing import invoice_generate
from contactcenter.errors import DomainError
from projects.models import Seller
from tests.factories import ClientFactory, ProjectFactory, SellerFactory, main_seller
from tests.factories.billing import answered_call, clock, local_dt, tariff

pytestmark = pytest.mark.django_db

OCTOBER = dt.date(2026, 10, 1)


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def billed_client(**fields):
    client = ClientFactory(code="acme", legal_name="ООО «Акме»", **fields)
    project = ProjectFactory(code="hotline", client=client)
    tariff(project, rate="1.0000", scheme="1/1")
    answered_call(project, local_dt("2026-10-05 10:00"), connected=90)
    return client


def issue_october(client, at="2026-11-02T09:00"):
    with clock(at):
        [draft] = invoice_generate(period=OCTOBER, client_code=client.code)
        return invoice_issue(invoice=draft)


def test_the_snapshot_and_the_invoice_name_the_clients_seller_and_contract(admin_api):
    north = SellerFactory(code="north", name="ООО «Север»", director="Орлов О. О.")
    client = billed_client(
        seller=north,
        ogrn="1027700132195",
        contract_number="КЦ-17/2026",
        contract_date=dt.date(2026, 1, 15),
        payment_terms_days=30,
    )

    invoice = issue_october(client)

    snapshot = invoice.snapshot
    assert snapshot["seller"] == {
        "code": "north",
        "name": "ООО «Север»",
        "inn": "7707083893",
        "kpp": "773601001",
        "ogrn": "1027700132195",
        "address": "",
        "bank": "ПАО Сбербанк",
        "bik": "044525225",
        "account": "40702810938000000001",
        "correspondent_account": "30101810400000000225",
        "director": "Орлов О. О.",
        "accountant": "",
        "chief_accountant": "",
    }
    buyer = snapshot["buyer"]
    assert (buyer["ogrn"], buyer["contract_number"], buyer["contract_date"]) == (
        "1027700132195",
        "КЦ-17/2026",
        "2026-01-15",
    )
    assert buyer["payment_terms_days"] == 30
    # Issued 2 Nov 12:00 Moscow, 30 days of terms.
    assert invoice.due_date == dt.date(2026, 12, 2)
    assert invoice.total == Decimal("1.50")

    text = pdf_text(admin_api.get(f"/api/v1/invoices/{invoice.pk}/export/?format=pdf").content)
    basis = "Договор № КЦ-17/2026 от 15.01.2026; услуги контакт-центра за октябрь 2026 г."
    assert basis in " ".join(text.split())  # the line wraps in the PDF
    assert "ООО «Север»" in text
    assert "40702810938000000001" in text
    # A later edit of the seller does not reach the issued invoice.
    Seller.objects.filter(code="north").update(name="ООО «Юг»")
    again = pdf_text(admin_api.get(f"/api/v1/invoices/{invoice.pk}/export/?format=pdf").content)
    assert "ООО «Север»" in again
    assert "ООО «Юг»" not in again


def test_without_a_contract_the_basis_is_the_month(admin_api):
    invoice = issue_october(billed_client())
    text = pdf_text(admin_api.get(f"/api/v1/invoices/{invoice.pk}/export/?format=pdf").content)
    assert "Услуги контакт-центра за октябрь 2026 г." in text
    assert "Договор" not in text
    assert invoice.due_date == dt.date(2026, 11, 12)  # the default 10 days


def test_several_sellers_and_none_named_refuse_the_generation(admin_api):
    main_seller()
    SellerFactory(code="north")
    billed_client(seller=None)

    with clock("2026-11-02T09:00"):
        with pytest.raises(DomainError) as refused:
            invoice_generate(period=OCTOBER, client_code="acme")
        answer = admin_api.post(
            "/api/v1/invoices/generate/", {"period": "2026-10", "client": "acme"}, format="json"
        )

    text = "Client 'acme' names no seller and several exist (main, north): set its seller."
    assert refused.value.details == {"seller": [text]}
    assert answer.status_code == 400
    assert answer.json()["errors"] == {"seller": [text]}
