"""sla-terms/ in the API: a project's SLA terms with their credit schedule, written like
the tariffs; a term that judged an issued invoice is frozen (409 naming the invoice)."""

import datetime as dt

import pytest

from billing.models import SlaTerm
from tests.billing.invoice_samples import issue, sample_invoice, volga_client

pytestmark = pytest.mark.django_db
URL = "/api/v1/sla-terms/"


def test_terms_with_their_tiers_are_created_and_read_back(admin_api, hotline):
    body = {
        "project": "hotline",
        "valid_from": "2026-10-01",
        "metric": "service_level",
        "target_percent": "80",
        "threshold_seconds": 20,
        "tiers": [
            {"shortfall_up_to_points": None, "credit_percent": "10"},
            {"shortfall_up_to_points": "5", "credit_percent": "5"},
        ],
    }
    response = admin_api.post(URL, body, format="json")
    assert response.status_code == 201, response.content
    term = SlaTerm.objects.get()
    assert admin_api.get(f"{URL}{term.pk}/").json() == {
        "id": term.pk,
        "project": "hotline",
        "valid_from": "2026-10-01",
        "metric": "service_level",
        "target_percent": "80.00",
        "threshold_seconds": 20,
        "tiers": [
            {"shortfall_up_to_points": "5.00", "credit_percent": "5.00"},
            {"shortfall_up_to_points": None, "credit_percent": "10.00"},
        ],
    }


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"target_percent": "101"}, "target_percent"),
        ({"metric": "abandon_rate", "threshold_seconds": 20}, "threshold_seconds"),
        ({"tiers": [{"shortfall_up_to_points": "5", "credit_percent": "0"}]}, "tiers"),
        ({"tiers": [{"shortfall_up_to_points": "5", "credit_percent": "5"}] * 2}, "tiers"),
    ],
)
def test_bad_terms_are_a_400_naming_the_field(admin_api, hotline, change, field):
    body = {"project": "hotline", "valid_from": "2026-10-01", "target_percent": "80", **change}
    response = admin_api.post(URL, body, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not SlaTerm.objects.exists()


def test_a_term_that_judged_an_issued_invoice_is_frozen(admin_api):
    invoice = issue(sample_invoice(volga_client()))
    project = invoice.lines.first().project
    term = SlaTerm.objects.create(project=project, valid_from=dt.date(2026, 1, 1),
                                  target_percent=80)  # fmt: skip
    response = admin_api.patch(f"{URL}{term.pk}/", {"target_percent": "90"}, format="json")
    assert response.status_code == 409
    assert "INV-2026-000001" in response.json()["errors"]["sla_term"][0]
    assert admin_api.delete(f"{URL}{term.pk}/").status_code == 409
    later = {"project": project.code, "valid_from": "2026-12-01", "target_percent": "90"}
    assert admin_api.post(URL, later, format="json").status_code == 201
