"""Tenancy matrix entries for webhooks/endpoints/ (docs/webhooks.md).

``entries()`` is called by ``tests/test_tenancy_matrix.py`` once its route kinds exist, so
it imports them lazily. An endpoint belongs to a client: the superuser reaches all; the PM
of A's project and A's integration manage A's endpoints (B's are a 404, naming B's client
in a create is a 400 on ``client``).
"""

from webhooks.models import WebhookEndpoint


def endpoint_url(tenant):
    return f"https://{tenant.client.code}.example.com/hooks"


def side_endpoint(world, side):
    """The side's client's endpoint (made once)."""
    tenant = world[side]
    endpoint, _ = WebhookEndpoint.objects.get_or_create(
        client=tenant.client,
        url=endpoint_url(tenant),
        defaults={"events": ["invoice.issued"], "secret": "whsec_c2VjcmV0LW9mLXRoZS1tYXRyaXg="},
    )
    return endpoint.pk


def entries():
    from tests import test_tenancy_matrix as m

    @m.dataclass(frozen=True)
    class EndpointListRoute(m.ListRoute):
        def prepare(self, world, side):
            for tenant_side in (m.OURS, m.THEIRS):
                side_endpoint(world, tenant_side)
            return None, None

    detail = {m.SUPERUSER: 200, m.PM: (200, 404), m.INTEGRATION: (200, 404)}
    return {
        ("webhooks/endpoints/", "GET"): EndpointListRoute(
            key="url", key_of=endpoint_url, sees=m.EVERYONE_SEES_OURS
        ),
        ("webhooks/endpoints/", "POST"): m.CreateRoute(
            body=lambda w, side: {
                "url": "https://new.example.com/hooks",
                "events": ["invoice.issued", "alert.opened"],
                "client": w[side].client.code,
            },
            field="client",
            expect={m.SUPERUSER: 201, m.PM: (201, 400), m.INTEGRATION: (201, 400)},
            stored=lambda w, side: WebhookEndpoint.objects.filter(
                client=w[side].client, url="https://new.example.com/hooks"
            ).exists(),
        ),
        ("webhooks/endpoints/{pk}/", "GET"): m.DetailRoute(
            target=side_endpoint, key="id", expect=detail
        ),
        ("webhooks/endpoints/{pk}/", "PATCH"): m.DetailRoute(
            target=side_endpoint,
            body=lambda w, side: {"description": "Renamed"},
            expect=detail,
            applied=m.renamed(WebhookEndpoint, "description", "pk"),
        ),
        ("webhooks/endpoints/{pk}/", "DELETE"): m.DetailRoute(
            target=side_endpoint,
            expect={m.SUPERUSER: 204, m.PM: (204, 404), m.INTEGRATION: (204, 404)},
            applied=m.gone(WebhookEndpoint, "pk"),
        ),
        ("webhooks/endpoints/{pk}/rotate-secret/", "POST"): m.DetailRoute(
            target=side_endpoint,
            expect=detail,
            applied=lambda w, side, role, lookup: (
                WebhookEndpoint.objects.get(pk=lookup).previous_secret
                == "whsec_c2VjcmV0LW9mLXRoZS1tYXRyaXg="
            ),
        ),
        ("webhooks/endpoints/{pk}/deliveries/", "GET"): m.DetailRoute(
            target=side_endpoint, expect=detail
        ),
    }
