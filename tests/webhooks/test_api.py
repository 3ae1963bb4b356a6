"""webhooks/endpoints/ in the API: a 201 with the id and the secret (``whsec_`` + base64),
the secret never shown again but by a rotation; an integration manages only its client's
endpoints; bad URLs and events are 400s naming the field, nothing stored."""

import base64

import pytest

from tests.factories import ClientFactory
from webhooks.models import WebhookEndpoint

pytestmark = pytest.mark.django_db
URL = "/api/v1/webhooks/endpoints/"


def test_an_integration_creates_its_endpoint_and_gets_its_secret_once(integration_api):
    response = integration_api.post(
        URL, {"url": "https://crm.example.com/hooks", "events": ["invoice.issued", "invoice.paid"]},
        format="json",
    )  # fmt: skip
    assert response.status_code == 201, response.content
    body = response.json()
    endpoint = WebhookEndpoint.objects.get()
    assert body["id"] == endpoint.pk
    assert body["client"] == "integrated"
    assert body["events"] == ["invoice.issued", "invoice.paid"]
    assert body["secret"] == endpoint.secret
    assert body["secret"].startswith("whsec_")
    assert len(base64.b64decode(body["secret"].removeprefix("whsec_"))) == 32

    detail = integration_api.get(f"{URL}{endpoint.pk}/").json()
    assert "secret" not in detail
    assert [row["id"] for row in integration_api.get(URL).json()["results"]] == [endpoint.pk]

    rotated = integration_api.post(f"{URL}{endpoint.pk}/rotate-secret/").json()
    endpoint.refresh_from_db()
    assert rotated["secret"] == endpoint.secret != body["secret"]
    assert endpoint.previous_secret == body["secret"]

    changed = integration_api.patch(
        f"{URL}{endpoint.pk}/", {"events": ["payment.received"]}, format="json"
    )
    assert changed.status_code == 200
    assert changed.json()["events"] == ["payment.received"]
    assert integration_api.get(f"{URL}{endpoint.pk}/deliveries/").json() == []
    assert integration_api.delete(f"{URL}{endpoint.pk}/").status_code == 204
    assert not WebhookEndpoint.objects.exists()


def test_an_integration_never_reaches_another_clients_endpoint(integration_api):
    other = ClientFactory(code="other")
    theirs = WebhookEndpoint.objects.create(
        client=other, url="https://other.example.com/", events=["invoice.issued"],
        secret="whsec_c2VjcmV0",
    )  # fmt: skip
    assert integration_api.get(f"{URL}{theirs.pk}/").status_code == 404
    assert integration_api.get(URL).json()["results"] == []
    response = integration_api.post(
        URL, {"url": "https://x.example.com/", "events": ["invoice.issued"], "client": "other"},
        format="json",
    )  # fmt: skip
    assert response.status_code == 400
    assert "client" in response.json()["errors"]
    assert WebhookEndpoint.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "ftp://example.com/", "events": ["invoice.issued"]}, "url"),
        ({"url": "https://user:pw@example.com/", "events": ["invoice.issued"]}, "url"),
        ({"url": "https://example.com/" + "a" * 500, "events": ["invoice.issued"]}, "url"),
        ({"url": "https://example.com/", "events": []}, "events"),
        ({"url": "https://example.com/", "events": ["invoice.burnt"]}, "events"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(integration_api, body, field):
    response = integration_api.post(URL, body, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.parametrize("url", ["http://127.0.0.1:8000/", "http://localhost/", "http://10.0.0.5/"])
def test_loopback_and_private_urls_are_refused_in_production(integration_api, settings, url):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False
    response = integration_api.post(URL, {"url": url, "events": ["alert.opened"]}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"]["url"] == [
        "Loopback and private addresses cannot receive webhooks."
    ]


def test_the_centers_endpoint_is_for_superusers(admin_api, pm_api):
    body = {"url": "https://ops.example.com/", "events": ["alert.opened"]}
    refused = pm_api.post(URL, body, format="json")
    assert refused.status_code == 400
    assert "client" in refused.json()["errors"]
    created = admin_api.post(URL, body, format="json")
    assert created.status_code == 201
    assert created.json()["client"] is None
    assert pm_api.get(URL).json()["results"] == []
