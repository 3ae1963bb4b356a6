"""The webhooks admin: superusers alone; a new endpoint gets its secret, a bad URL is a form
error, the actions rotate secrets and send a delivery again (logged as manual)."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from projects.roles import PROJECT_MANAGERS, roles_setup
from tests.factories import ProjectFactory, UserFactory
from tests.webhooks.receiver import Receiver
from webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from webhooks.services import message_publish

pytestmark = pytest.mark.django_db


def test_a_project_manager_reaches_no_webhook_page(client):
    roles_setup()
    pm = UserFactory(username="olga", is_staff=True)
    pm.groups.add(Group.objects.get(name=PROJECT_MANAGERS))
    ProjectFactory(code="hotline").managers.add(pm)
    client.force_login(pm)
    for name in ("webhookendpoint", "webhookdelivery", "webhookmessage"):
        assert client.get(reverse(f"admin:webhooks_{name}_changelist")).status_code == 403


def test_a_superuser_adds_an_endpoint_rotates_and_redelivers(
    admin_client, django_capture_on_commit_callbacks
):
    add = reverse("admin:webhooks_webhookendpoint_add")
    form = {"url": "ftp://example.com/", "events": "invoice.issued", "is_active": "on"}
    refused = admin_client.post(add, form)
    assert refused.status_code == 200
    assert "An http:// or https:// URL with a host." in refused.content.decode()
    assert not WebhookEndpoint.objects.exists()

    with Receiver() as receiver:
        assert admin_client.post(add, {**form, "url": receiver.url}).status_code == 302
        endpoint = WebhookEndpoint.objects.get()
        assert endpoint.secret.startswith("whsec_")
        secret = endpoint.secret
        changelist = reverse("admin:webhooks_webhookendpoint_changelist")
        rotate = {"action": "rotate_secret", "_selected_action": [endpoint.pk]}
        assert admin_client.post(changelist, rotate).status_code == 302
        endpoint.refresh_from_db()
        assert (endpoint.previous_secret, endpoint.secret != secret) == (secret, True)

        with django_capture_on_commit_callbacks(execute=False):
            [delivery] = message_publish(event_type="invoice.issued", client_id=None,
                                         data={"invoice": {"id": 1}})  # fmt: skip
        deliveries = reverse("admin:webhooks_webhookdelivery_changelist")
        again = {"action": "redeliver", "_selected_action": [delivery.pk]}
        with django_capture_on_commit_callbacks(execute=True):
            assert admin_client.post(deliveries, again).status_code == 302
        detail = admin_client.get(
            reverse("admin:webhooks_webhookdelivery_change", args=[delivery.pk])
        )
        assert detail.status_code == 200

    [attempt] = WebhookAttempt.objects.all()
    assert (attempt.status_code, attempt.manual) == (200, True)
    assert WebhookDelivery.objects.get().status == "succeeded"
    assert len(receiver.requests) == 1
