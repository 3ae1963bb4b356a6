"""Helpers of the admin tests: open a model's changelist or page, read its rows."""

from django.urls import reverse


def changelist(admin_client, model, **params):
    """The model's changelist with ``params``; it must load."""
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    response = admin_client.get(url, params)
    assert response.status_code == 200
    return response


def rows(response):
    """The objects a changelist response lists."""
    return list(response.context["cl"].result_list)


def page(admin_client, model, action, *args):
    """GET the model's admin page ``action`` (add, change, delete...) with ``args``."""
    name = f"admin:{model._meta.app_label}_{model._meta.model_name}_{action}"
    return admin_client.get(reverse(name, args=args))
