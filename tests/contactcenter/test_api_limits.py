"""Bounded input (docs/api-limits.md): body size (413), JSON nesting, date ranges, unknown list
parameters, JSON error pages under /api/, months that have not ended, Idempotency-Key on
every POST, integer bounds. Each refusal is pinned with its status, the field it names and
what was (not) stored."""

import datetime as dt
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as DjangoClient
from django.test import override_settings
from django.urls import get_resolver
from django.urls.resolvers import URLPattern, URLResolver
from django.utils import timezone

from billing.models import Invoice, Tariff
from calls.models import Call
from contactcenter.api.idempotency import IdempotentPostMixin
from contactcenter.api.parsers import MAX_JSON_DEPTH
from contactcenter.api.query import StrictListQueryMixin
from contactcenter.models import IdempotencyRecord
from projects.models import Client, Project
from tests.factories import (
    InvoiceFactory,
    InvoiceLineFactory,
    ProjectFactory,
    VatRateFactory,
)
from tests.factories.billing import answered_call, tariff

pytestmark = pytest.mark.django_db


def nested(depth):
    """A JSON text of ``depth`` nested lists around an object: [[...[{}]...]]."""
    return "[" * (depth - 1) + '{"code": "x"}' + "]" * (depth - 1)


# --- body size and nesting ------------------------------------------------------------------


def test_json_nested_1000_deep_is_a_400_naming_the_nesting(admin_api):
    response = admin_api.generic(
        "POST", "/api/v1/clients/", nested(1000), content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json() == {
        "detail": "JSON parse error - nested deeper than 32 levels of lists and objects.",
        "code": "parse_error",
    }
    assert Client.objects.count() == 0


def test_json_one_level_past_the_limit_is_a_400_and_at_the_limit_is_parsed(admin_api):
    over = admin_api.generic(
        "POST", "/api/v1/calls/", nested(MAX_JSON_DEPTH + 1), content_type="application/json"
    )
    at = admin_api.generic(
        "POST", "/api/v1/calls/", nested(MAX_JSON_DEPTH), content_type="application/json"
    )

    assert over.status_code == 400
    assert over.json()["code"] == "parse_error"
    # Parsed, then refused by the batch's own checks (a row must be an object).
    assert at.status_code == 400
    assert at.json()["code"] == "invalid"
    assert Call.objects.count() == 0


def test_a_40_mb_body_is_a_413_with_the_json_error_shape_and_stores_nothing(admin_api):
    ProjectFactory(code="hotline")
    row = {
        "external_id": "x" * 30,
        "project": "hotline",
        "offered_at": "2026-10-05T09:00:00Z",
        "ended_at": "2026-10-05T09:00:40Z",
    }
    body = json.dumps([row] * 400_000)  # about 41 MB
    assert len(body) > 40 * 1024 * 1024

    plain = admin_api.generic("POST", "/api/v1/calls/", body, content_type="application/json")
    keyed = admin_api.generic(
        "POST",
        "/api/v1/calls/",
        body,
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="big",
    )

    assert plain.status_code == keyed.status_code == 413
    assert plain.json()["code"] == keyed.json()["code"] == "payload_too_large"
    assert plain.json()["detail"].startswith("The request body is ")
    assert Call.objects.count() == 0
    assert IdempotencyRecord.objects.count() == 0


def test_a_multipart_upload_over_the_limit_is_a_413(admin_api, settings):
    settings.FILE_UPLOAD_MAX_BYTES = 1024
    upload = SimpleUploadedFile("calls.csv", b"external_id,project\n" + b"a,b\n" * 1000)

    response = admin_api.post("/api/v1/calls/import/", {"file": upload}, format="multipart")

    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"
    assert "at most 1 KB (1,024 bytes)" in response.json()["detail"]
    assert Call.objects.count() == 0


def test_a_text_csv_body_over_the_import_limit_is_a_413(admin_api, monkeypatch):
    from calls import csv_import

    monkeypatch.setattr(csv_import, "MAX_FILE_BYTES", 1024)
    response = admin_api.generic(
        "POST", "/api/v1/calls/import/", b"external_id\n" + b"a\n" * 1000, content_type="text/csv"
    )

    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"


# --- dates --------------------------------------------------------------------------------

EDGE_DATES = ["0001-01-01", "9999-12-31", "1999-12-31", "2101-01-01"]
EDGE_INSTANTS = [
    "0001-01-01T00:00:00Z",
    "0001-01-01T00:00:00+01:00",  # before year 1 in UTC
    "9999-12-31T23:59:59-01:00",  # after year 9999 in UTC
    "9999-12-31T00:00:00Z",
    "1999-12-31T23:00:00Z",
    "2000-01-01T02:00:00+03:00",  # 1999 in UTC
]
EDGE_MONTHS = ["0001-01", "9999-12", "1999-12", "2101-01"]
DAY = {"granularity": "day"}


@pytest.fixture
def center(admin_api):
    project = ProjectFactory(code="hotline", timezone="UTC")
    VatRateFactory(client=project.client)
    return project


def _get(api, url, **params):
    return api.get(url, params)


@pytest.mark.parametrize("value", EDGE_INSTANTS)
@pytest.mark.parametrize(
    ("url", "param", "other"),
    [
        ("/api/v1/projects/hotline/kpis/", "from", {"to": "2026-10-02T00:00:00Z", **DAY}),
        ("/api/v1/projects/hotline/kpis/", "to", {"from": "2026-10-01T00:00:00Z", **DAY}),
        ("/api/v1/projects/hotline/peak-hours/", "from", {"to": "2026-10-02T00:00:00Z"}),
        ("/api/v1/pool/occupancy/", "to", {"from": "2026-10-01T00:00:00Z", **DAY}),
        ("/api/v1/pool/peak-hours/", "from", {"to": "2026-10-02T00:00:00Z"}),
        ("/api/v1/projects/hotline/qa/", "from", {"to": "2026-10-02T00:00:00Z"}),
        ("/api/v1/calls/", "from", {}),
        ("/api/v1/agent-events/", "to", {}),
    ],
)
def test_an_instant_outside_2000_2100_is_a_400_naming_it(
    admin_api, center, url, param, other, value
):
    params = {**other, param: value}

    response = admin_api.get(url, params)

    assert response.status_code == 400, response.content
    assert list(response.json()["errors"]) == [param]
    assert not response.json()["errors"][param][0].startswith("Unknown parameter")


@pytest.mark.parametrize("value", EDGE_DATES)
@pytest.mark.parametrize(
    ("url", "param"),
    [
        ("/api/v1/projects/hotline/forecast/", "from"),
        ("/api/v1/projects/hotline/bench-strength/", "start"),
    ],
)
def test_a_date_query_outside_the_range_is_a_400_naming_it(admin_api, center, url, param, value):
    response = admin_api.get(url, {param: value})

    assert response.status_code == 400
    assert response.json()["errors"] == {param: ["Must be between 2000-01-01 and 2100-12-31."]}


@pytest.mark.parametrize("value", EDGE_MONTHS)
@pytest.mark.parametrize("param", ["from", "to"])
def test_a_turnover_month_outside_the_range_is_a_400_naming_it(admin_api, param, value):
    params = {"from": "2026-01", "to": "2026-06", param: value}

    response = admin_api.get("/api/v1/people/turnover/", params)

    assert response.status_code == 400
    assert list(response.json()["errors"]) == [param]


@pytest.mark.parametrize("value", EDGE_DATES)
def test_a_staffing_plan_from_outside_the_range_is_a_400(admin_api, center, value):
    response = admin_api.post(
        "/api/v1/staffing/plan/", {"projects": ["hotline"], "from": value, "days": 1}
    )

    assert response.status_code == 400
    assert response.json()["errors"]["from"] == ["Must be between 2000-01-01 and 2100-12-31."]


@pytest.mark.parametrize("value", [*EDGE_MONTHS, "2026-13", "26-10"])
def test_generate_a_month_outside_the_range_is_a_400_naming_period(admin_api, center, value):
    response = admin_api.post("/api/v1/invoices/generate/", {"period": value})

    assert response.status_code == 400
    assert response.json()["errors"] == {
        "period": ["Enter a month as YYYY-MM between 2000-01 and 2100-12, such as 2026-10."]
    }
    assert Invoice.objects.count() == 0


@pytest.mark.parametrize("value", EDGE_MONTHS)
def test_archive_and_invoice_filter_months_outside_the_range_are_400s(admin_api, value):
    archive = admin_api.get("/api/v1/invoices/archive/", {"period": value})
    listed = admin_api.get("/api/v1/invoices/", {"period": value})

    assert (archive.status_code, list(archive.json()["errors"])) == (400, ["period"])
    assert (listed.status_code, list(listed.json()["errors"])) == (400, ["period"])


@pytest.mark.parametrize("value", EDGE_DATES)
def test_a_tariff_valid_from_outside_the_range_is_a_400_and_stores_nothing(
    admin_api, center, value
):
    response = admin_api.post(
        "/api/v1/tariffs/", {"project": "hotline", "valid_from": value, "rate_per_minute": "1"}
    )

    assert response.status_code == 400
    assert response.json()["errors"] == {
        "valid_from": ["Must be between 2000-01-01 and 2100-12-31."]
    }
    assert Tariff.objects.count() == 0


# --- months that have not ended ------------------------------------------------------------


def _next_month():
    today = timezone.now().date()
    return (today.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def test_generating_a_month_that_has_not_ended_is_a_400_naming_period(admin_api, center):
    tariff(center)
    this_month = timezone.now().date().replace(day=1)
    answered_call(center, dt.datetime.combine(this_month, dt.time(0, 5), dt.UTC), connected=60)

    for period in (this_month, _next_month()):
        response = admin_api.post(
            "/api/v1/invoices/generate/",
            {"period": f"{period:%Y-%m}", "client": center.client.code},
        )
        assert response.status_code == 400
        assert response.json()["code"] == "period_not_ended"
        assert response.json()["errors"] == {
            "period": [
                f"The month {period:%Y-%m} has not ended for {center.client.code}: a month is "
                "billed once it has ended in the client's and its projects' time zones."
            ]
        }
    everyone = admin_api.post("/api/v1/invoices/generate/", {"period": f"{this_month:%Y-%m}"})

    assert (everyone.status_code, list(everyone.json()["errors"])) == (400, ["period"])
    assert Invoice.objects.count() == 0


def test_issuing_a_draft_of_a_month_that_has_not_ended_is_a_409(admin_api, center):
    draft = InvoiceFactory(client=center.client, period=timezone.now().date().replace(day=1))
    InvoiceLineFactory(invoice=draft, project=center)

    response = admin_api.post(f"/api/v1/invoices/{draft.pk}/issue/")

    assert response.status_code == 409
    assert response.json()["code"] == "period_not_ended"
    assert list(response.json()["errors"]) == ["period"]
    draft.refresh_from_db()
    assert (draft.status, draft.number) == (Invoice.Status.DRAFT, None)


def test_the_generate_task_skips_a_month_that_has_not_ended(center):
    from billing.tasks import generate_invoices

    assert generate_invoices(f"{_next_month():%Y-%m}") == []
    assert Invoice.objects.count() == 0


# --- unknown list parameters ---------------------------------------------------------------


def test_an_unknown_filter_is_a_400_naming_it(admin_api, center):
    response = admin_api.get("/api/v1/calls/", {"client": "acme"})

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert list(errors) == ["client"]
    assert errors["client"][0].startswith("Unknown parameter. This list takes: ")
    assert errors["client"][0].endswith("outcome, page_size, project, to.")


def test_known_parameters_pass(admin_api, center):
    response = admin_api.get(
        "/api/v1/clients/", {"page": 1, "page_size": 10, "format": "json", "ordering": "code"}
    )

    assert response.status_code == 200


def _routes(patterns=None, prefix=""):
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            yield from _routes(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.callback


def _api_views():
    for route, callback in _routes():
        cls = getattr(callback, "cls", None)
        if route.startswith("api/v1/") and cls is not None and "schema" not in route:
            actions = getattr(callback, "actions", None) or {}
            yield route, cls, actions


LIST_ROUTES = sorted(
    {
        "/" + route.replace("^", "").replace("$", "").replace("\\", "")
        for route, _, actions in _api_views()
        if actions.get("get") == "list"
    }
)


@pytest.mark.parametrize("url", LIST_ROUTES)
def test_every_list_refuses_an_unknown_parameter(admin_api, url):
    response = admin_api.get(url, {"no_such_filter": "1"})

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["no_such_filter"]


def test_the_known_parameters_are_the_ones_the_schema_documents(admin_api):
    schema = admin_api.get("/api/v1/schema/?format=json").json()
    from contactcenter.api.query import known_list_parameters

    for route, cls, actions in _api_views():
        if actions.get("get") != "list":
            continue
        path = "/" + route.replace("^", "").replace("$", "").replace("\\", "")
        documented = {
            param["name"]
            for param in schema["paths"][path]["get"].get("parameters", [])
            if param["in"] == "query"
        }
        view = cls(**{"action_map": actions})
        view.action = "list"
        view.request = admin_api.get(path).wsgi_request
        view.request.user = admin_api.user
        view.format_kwarg = None
        assert known_list_parameters(view) - {"format"} == documented, path


def test_every_list_view_is_strict_and_every_post_is_idempotent():
    for route, cls, actions in _api_views():
        if actions.get("get") == "list":
            assert issubclass(cls, StrictListQueryMixin), route
        if getattr(cls, "refuses_idempotency_key", False):
            # Token rotation: its answer holds a new key, which must never be stored
            # (tests/contactcenter/test_api_tokens.py pins the 400).
            continue
        if actions.get("post") or (not actions and hasattr(cls, "post")):
            assert issubclass(cls, IdempotentPostMixin), route


# --- JSON error pages under /api/ ------------------------------------------------------------


@override_settings(DEBUG=False)
def test_a_500_under_api_is_json_and_html_elsewhere(admin_api, monkeypatch):
    from projects.api.views import ClientViewSet

    def broken(self, request, *args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(ClientViewSet, "list", broken)
    client = DjangoClient(raise_request_exception=False)
    client.force_login(admin_api.user)

    response = client.get("/api/v1/clients/")

    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert (body["detail"], body["code"]) == ("Internal server error.", "server_error")
    assert body["request_id"] == response["X-Request-ID"]


@override_settings(DEBUG=False)
def test_404_is_json_under_api_and_html_elsewhere(db):
    client = DjangoClient(raise_request_exception=False)

    api = client.get("/api/v1/no-such-thing/")
    page = client.get("/no-such-page/")

    assert (api.status_code, api.json()) == (404, {"detail": "Not found.", "code": "not_found"})
    assert page.status_code == 404
    assert page["Content-Type"].startswith("text/html")


@override_settings(DEBUG=False, ALLOWED_HOSTS=["api.example.com"])
def test_a_host_not_allowed_is_a_json_400_under_api(db):
    client = DjangoClient(raise_request_exception=False)

    response = client.get("/api/v1/clients/", HTTP_HOST="evil.example.com")

    assert (response.status_code, response.json()) == (
        400,
        {"detail": "Bad request.", "code": "bad_request"},
    )


@override_settings(DEBUG=False, DATA_UPLOAD_MAX_MEMORY_SIZE=100)
def test_a_form_body_over_the_limit_is_a_json_413_under_api(admin_api):
    client = DjangoClient(raise_request_exception=False)
    client.force_login(admin_api.user)

    # A form body Django reads itself (the CSRF middleware of a session request).
    response = client.post("/api/v1/clients/", {"code": "x" * 200, "name": "y"})

    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"
    assert Client.objects.count() == 0


# --- Idempotency-Key on every POST -------------------------------------------------------------


@pytest.fixture
def draft(center):
    invoice = InvoiceFactory(client=center.client, period=dt.date(2026, 10, 1))
    InvoiceLineFactory(invoice=invoice, project=center)
    return invoice


def test_issue_and_pay_with_a_key_replay_the_first_answer(admin_api, draft):
    url = f"/api/v1/invoices/{draft.pk}/"
    issued = admin_api.post(url + "issue/", HTTP_IDEMPOTENCY_KEY="issue-1")
    again = admin_api.post(url + "issue/", HTTP_IDEMPOTENCY_KEY="issue-1")
    paid = admin_api.post(url + "pay/", HTTP_IDEMPOTENCY_KEY="pay-1")
    paid_again = admin_api.post(url + "pay/", HTTP_IDEMPOTENCY_KEY="pay-1")
    unkeyed = admin_api.post(url + "pay/")

    assert (issued.status_code, again.status_code) == (200, 200)
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == issued.json()
    assert issued.json()["status"] == "issued"
    assert (paid.status_code, paid_again.status_code) == (200, 200)
    assert paid_again["Idempotent-Replayed"] == "true"
    assert paid_again.json()["status"] == "paid"
    assert unkeyed.status_code == 400  # without the key: paid is not payable again
    draft.refresh_from_db()
    assert draft.status == Invoice.Status.PAID
    assert IdempotencyRecord.objects.count() == 2


def test_generate_with_a_key_a_4xx_first_then_the_corrected_request(admin_api, center):
    tariff(center)
    answered_call(center, dt.datetime(2026, 10, 5, 9, tzinfo=dt.UTC), connected=60)
    url = "/api/v1/invoices/generate/"

    wrong = admin_api.post(url, {"period": "2026-13"}, HTTP_IDEMPOTENCY_KEY="gen-1")
    right = admin_api.post(url, {"period": "2026-10"}, HTTP_IDEMPOTENCY_KEY="gen-1")
    replay = admin_api.post(url, {"period": "2026-10"}, HTTP_IDEMPOTENCY_KEY="gen-1")
    other = admin_api.post(url, {"period": "2026-09"}, HTTP_IDEMPOTENCY_KEY="gen-1")

    assert wrong.status_code == 400
    assert (right.status_code, len(right.json())) == (200, 1)
    assert (replay.status_code, replay["Idempotent-Replayed"]) == (200, "true")
    assert replay.json() == right.json()
    assert other.status_code == 409
    assert Invoice.objects.count() == 1


def test_a_catalogue_create_with_a_key_runs_once(admin_api, center):
    body = {"code": "new-line", "name": "New", "client": center.client.code, "timezone": "UTC"}

    first = admin_api.post("/api/v1/projects/", body, HTTP_IDEMPOTENCY_KEY="p-1")
    second = admin_api.post("/api/v1/projects/", body, HTTP_IDEMPOTENCY_KEY="p-1")

    assert (first.status_code, second.status_code) == (201, 201)
    assert second["Idempotent-Replayed"] == "true"
    assert Project.objects.filter(code="new-line").count() == 1


# --- integer bounds ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("first_increment_seconds", 2147483647, "Ensure this value is less than or equal to 3600."),
        ("next_increment_seconds", 3601, "Ensure this value is less than or equal to 3600."),
        ("free_seconds", 2147483648, "Ensure this value is less than or equal to 3600."),
        ("wrap_cap_seconds", -1, "Ensure this value is greater than or equal to 0."),
    ],
)
def test_tariff_integers_are_bounded(admin_api, center, field, value, message):
    body = {"project": "hotline", "valid_from": "2026-01-01", "rate_per_minute": "1", field: value}

    response = admin_api.post("/api/v1/tariffs/", body)

    assert response.status_code == 400
    assert response.json()["errors"] == {field: [message]}
    assert Tariff.objects.count() == 0


@pytest.mark.parametrize(
    "field", ["sl_threshold_seconds", "short_abandon_seconds", "asa_target_seconds"]
)
def test_project_seconds_are_bounded(admin_api, center, field):
    response = admin_api.patch("/api/v1/projects/hotline/", {field: 2147483647})

    assert response.status_code == 400
    assert response.json()["errors"] == {
        field: ["Ensure this value is less than or equal to 3600."]
    }
    center.refresh_from_db()
    assert getattr(center, field) != 2147483647


def test_the_schema_bounds_every_integer_input(admin_api):
    schema = admin_api.get("/api/v1/schema/?format=json").json()
    unbounded = []

    def walk(name, node, path):
        if not isinstance(node, dict) or "$ref" in node:
            return
        integer = node.get("type") == "integer" and not node.get("readOnly")
        maximum = node.get("maximum", 2**31)
        # Ids are bigints, bounded at 2**63 - 1; everything else below an integer column.
        if integer and ("minimum" not in node or 2**31 - 1 <= maximum < 2**63 - 1):
            unbounded.append(f"{name}{path}")
        for key, value in (node.get("properties") or {}).items():
            walk(name, value, f"{path}.{key}")
        if "items" in node:
            walk(name, node["items"], path + "[]")
        for key in ("oneOf", "anyOf", "allOf"):
            for sub in node.get(key, []):
                walk(name, sub, path)
        if isinstance(node.get("additionalProperties"), dict):
            walk(name, node["additionalProperties"], path + "{}")

    for name, component in schema["components"]["schemas"].items():
        if name.endswith("Request"):
            walk(name, component, "")

    # The call's own fields are bounded with the call's validation (docs/api-limits.md).
    assert sorted(u for u in unbounded if not u.startswith("CallRequest")) == []


# --- the what-if simulation, capped by role -----------------------------------------------------


def _scenario(calls_per_hour, days=1):
    return {
        "start": "2026-10-01",
        "days": days,
        "client": "sim",
        "projects": [
            {
                "code": "sim-a",
                "timezone": "UTC",
                "calls_per_hour": calls_per_hour,
                "aht_seconds": 180,
            }
        ],
        "operators": [{"count": 2, "projects": ["sim-a"]}],
    }


def _what_if(user, scenario):
    client = DjangoClient()
    client.force_login(user)
    upload = SimpleUploadedFile("mine.json", json.dumps(scenario).encode(), "application/json")
    return client.post("/admin/simulation/", {"upload": upload}).content.decode()


@pytest.mark.parametrize(
    ("who", "calls_per_hour", "allowed"),
    [
        ("team_lead", 200_000, False),  # the probe: 4.8M calls
        ("team_lead", 1_300, False),  # 31,200 calls, over 30,000
        ("team_lead", 20, True),
        ("manager", 1_300, True),
        ("manager", 11_000, False),  # 264,000 calls, over 250,000
        ("superuser", 200_000, False),
    ],
)
def test_the_what_if_run_is_capped_by_role(who, calls_per_hour, allowed):
    from tests.factories import UserFactory

    user = UserFactory(is_staff=True, is_superuser=who == "superuser")
    if who == "manager":
        ProjectFactory().managers.add(user)

    page = _what_if(user, _scenario(calls_per_hour))

    assert ("you may simulate at most" in page) is not allowed
    assert ('id="what-if-results"' in page) is allowed
    assert not Call.objects.exists()
