"""The call detail as the servers send it: over a real uvicorn (ASGI) the response is an
asynchronous stream made chunk by chunk in the request's thread (Django would otherwise
read a synchronous iterator whole before the first byte), with the same bytes as in
process; under WSGI the chunks are served as they are (contactcenter.streaming)."""

import asyncio
import http.client
from urllib.parse import urlsplit

import pytest
from django.test import AsyncRequestFactory, RequestFactory

from billing.exports.detail_csv import invoice_detail_chunks
from billing.exports.formats import export_response
from billing.invoicing import invoice_generate
from tests.asgi_server import asgi_server
from tests.billing.test_invoicing_agreement import PERIODS, build
from tests.factories import TokenFactory, UserFactory
from tests.factories.billing import clock


def _invoice(seed):
    client = build(seed)
    with clock("2026-12-15T00:00"):
        [invoice] = invoice_generate(period=PERIODS[0], client_code=client.code)
    return invoice


async def _read(response):
    return b"".join([chunk async for chunk in response])


@pytest.mark.django_db
def test_an_asgi_request_gets_an_asynchronous_stream_a_wsgi_request_the_chunks():
    invoice = _invoice(11)
    expected = b"".join(invoice_detail_chunks(invoice))
    served = export_response(invoice, "detail", request=RequestFactory().get("/"))
    assert served.is_async is False
    assert b"".join(served.streaming_content) == expected
    served = export_response(invoice, "detail", request=AsyncRequestFactory().get("/"))
    assert served.is_async is True
    assert asyncio.run(_read(served)) == expected
    calls = sum(line.calls for line in invoice.lines.filter(kind="usage"))
    assert calls == 129
    # the header, the calls, then calls total, subtotal, VAT and total
    assert expected.count(b"\r\n") == 1 + calls + 4


@pytest.mark.django_db(transaction=True)
# Django's warning when it reads a synchronous iterator whole under ASGI: an error here.
@pytest.mark.filterwarnings("error:StreamingHttpResponse must consume")
def test_the_detail_over_uvicorn_is_the_detail_in_process():
    invoice = _invoice(12)
    expected = b"".join(invoice_detail_chunks(invoice))
    token = TokenFactory(user=UserFactory(username="root", is_staff=True, is_superuser=True))
    with asgi_server() as url:
        address = urlsplit(url)
        connection = http.client.HTTPConnection(address.hostname, address.port, timeout=30)
        connection.request(
            "GET",
            f"/api/v1/invoices/{invoice.pk}/export/?format=detail",
            headers={"Authorization": f"Token {token.key}"},
        )
        response = connection.getresponse()
        body = response.read()
        connection.close()
    assert response.status == 200
    assert response.getheader("Content-Type").startswith("text/csv")
    assert body == expected
