"""calls/: ingestion of one call (SPEC section 3), duplicates, contacts, the scoped list."""

import datetime as dt

import pytest

from calls.models import Call, Contact
from tests.factories import (
    T0,
    CallFactory,
    ContactFactory,
    OperatorFactory,
    ProjectFactory,
)

pytestmark = pytest.mark.django_db

URL = "/api/v1/calls/"


def detail(pk):
    return f"{URL}{pk}/"


def at(seconds):
    return (T0 + dt.timedelta(seconds=seconds)).isoformat().replace("+00:00", "Z")


def new_call(**overrides):
    """An answered call: 12 s wait, 150 s connected, 10 s hold, 20 s wrap."""
    return {
        "external_id": "cdr-1",
        "project": "hotline",
        "direction": "inbound",
        "caller": "+74951234567",
        "operator": "ivan",
        "offered_at": "2026-10-05T09:00:00Z",
        "answered_at": "2026-10-05T09:00:12Z",
        "ended_at": "2026-10-05T09:02:42Z",
        "hold_seconds": 10,
        "wrap_seconds": 20,
        "disposition": "sale",
        "recording_url": "https://rec.example/cdr-1.mp3",
        **overrides,
    }


class TestCreate:
    def test_a_new_call_is_201_and_reads_back_with_derived_seconds(self, admin_api, hotline, ivan):
        response = admin_api.post(URL, new_call())

        assert response.status_code == 201
        call = Call.objects.get()
        assert response.json() == {"created": 1, "duplicates": 0}
        body = admin_api.get(detail(call.pk)).json()
        received_at = body.pop("received_at")
        assert received_at.endswith("Z")
        assert body == {
            "id": call.pk,
            "external_id": "cdr-1",
            "project": "hotline",
            "direction": "inbound",
            "caller": "+74951234567",
            "caller_raw": "",
            "caller_erased": False,
            "operator": "ivan",
            "offered_at": "2026-10-05T09:00:00Z",
            "answered_at": "2026-10-05T09:00:12Z",
            "ended_at": "2026-10-05T09:02:42Z",
            "hold_seconds": 10,
            "wrap_seconds": 20,
            "disposition": "sale",
            "recording_url": "https://rec.example/cdr-1.mp3",
            "outcome": "answered",
            "wait_seconds": 12,
            "connected_seconds": 150,
            "talk_seconds": 140,
            "handle_seconds": 170,
            "contact": call.contact_id,
        }

    def test_an_abandoned_call_needs_only_the_required_fields(self, admin_api, hotline):
        response = admin_api.post(
            URL,
            {
                "external_id": "cdr-2",
                "project": "hotline",
                "offered_at": "2026-10-05T12:00:00+03:00",
                "ended_at": "2026-10-05T12:00:04.200+03:00",
            },
        )

        assert response.status_code == 201
        call = Call.objects.get()
        assert call.offered_at == T0
        assert (call.outcome, call.wait_seconds, call.connected_seconds) == ("abandoned", 5, 0)
        assert (call.hold_seconds, call.wrap_seconds, call.operator, call.contact) == (
            0,
            0,
            None,
            None,
        )

    def test_the_first_call_of_a_number_creates_its_contact_and_later_ones_reuse_it(
        self, admin_api, hotline, ivan
    ):
        admin_api.post(URL, new_call())
        admin_api.post(
            URL,
            new_call(
                external_id="cdr-2", offered_at=at(600), answered_at=at(610), ended_at=at(700)
            ),
        )

        contact = Contact.objects.get()
        assert (contact.project, contact.phone) == (hotline, "+74951234567")
        assert list(Call.objects.values_list("contact_id", flat=True)) == [contact.pk] * 2

    def test_a_stored_contact_of_the_number_is_linked(self, admin_api, hotline, ivan):
        contact = ContactFactory(project=hotline, phone="+74951234567", name="Maria")
        ContactFactory(phone="+74951234567")  # the same number on another project

        admin_api.post(URL, new_call())

        assert Call.objects.get().contact == contact
        assert Contact.objects.count() == 2

    def test_an_identical_resend_is_a_duplicate_and_changes_nothing(self, admin_api, hotline, ivan):
        first = admin_api.post(URL, new_call())
        # The same instants with another offset are the same call.
        again = admin_api.post(
            URL,
            new_call(
                offered_at="2026-10-05T12:00:00+03:00",
                answered_at="2026-10-05T12:00:12+03:00",
                ended_at="2026-10-05T12:02:42+03:00",
            ),
        )

        assert again.status_code == 200
        assert first.json() == {"created": 1, "duplicates": 0}
        assert again.json() == {"created": 0, "duplicates": 1}
        assert Call.objects.count() == 1
        assert Contact.objects.count() == 1

    def test_the_same_external_id_with_different_data_is_a_409(self, admin_api, hotline, ivan):
        admin_api.post(URL, new_call())

        response = admin_api.post(URL, new_call(wrap_seconds=25, disposition="callback"))

        assert response.status_code == 409
        assert response.json() == {
            "detail": "Calls already stored with different data: 1; nothing was stored.",
            "code": "conflict",
            "errors": {
                "external_id": [
                    "'cdr-1' is already stored for this project with different "
                    "wrap_seconds, disposition."
                ]
            },
        }
        assert Call.objects.get().wrap_seconds == 20

    def test_the_same_external_id_on_another_project_is_another_call(
        self, admin_api, hotline, ivan
    ):
        ProjectFactory(code="sales")
        admin_api.post(URL, new_call())

        response = admin_api.post(URL, new_call(project="sales"))

        assert response.status_code == 201
        assert Call.objects.count() == 2

    def test_a_list_is_stored_as_one_batch(self, admin_api, hotline, ivan):
        batch = [
            new_call(),
            new_call(
                external_id="cdr-2",
                answered_at=None,
                operator=None,
                hold_seconds=0,
                ended_at="2026-10-05T09:00:30Z",
            ),
        ]

        response = admin_api.post(URL, batch)

        assert response.status_code == 201
        assert response.json() == {"created": 2, "duplicates": 0}
        assert sorted(Call.objects.values_list("external_id", "wait_seconds")) == [
            ("cdr-1", 12),
            ("cdr-2", 30),
        ]

    def test_one_invalid_row_rejects_the_whole_list_naming_its_index(
        self, admin_api, hotline, ivan
    ):
        batch = [new_call(), new_call(external_id="cdr-2", hold_seconds=-1)]

        response = admin_api.post(URL, batch)

        assert response.status_code == 400
        assert response.json()["errors"] == {"1": {"hold_seconds": ["Cannot be negative."]}}
        assert Call.objects.count() == 0
        assert Contact.objects.count() == 0

    def test_calls_cannot_be_edited_or_deleted_through_the_api(self, admin_api, hotline):
        call = CallFactory(project=hotline)

        assert admin_api.patch(detail(call.pk), {"wrap_seconds": 0}).status_code == 405
        assert admin_api.put(detail(call.pk), new_call()).status_code == 405
        assert admin_api.delete(detail(call.pk)).status_code == 405


class TestInvalid:
    """Each invalid call of SPEC section 3 is a 400 naming the field; nothing is stored."""

    @pytest.mark.parametrize(
        ("overrides", "field"),
        [
            ({"answered_at": "2026-10-05T08:59:59Z"}, "answered_at"),
            ({"ended_at": "2026-10-05T09:00:11Z"}, "ended_at"),
            (
                {"answered_at": None, "operator": None, "ended_at": "2026-10-05T08:59:00Z"},
                "ended_at",
            ),
            ({"hold_seconds": 151}, "hold_seconds"),
            ({"hold_seconds": -1}, "hold_seconds"),
            ({"wrap_seconds": -5}, "wrap_seconds"),
            ({"hold_seconds": "ten"}, "hold_seconds"),
            ({"project": "nowhere"}, "project"),
            ({"project": None}, "project"),
            ({"operator": "ghost"}, "operator"),
            ({"answered_at": None, "hold_seconds": 0}, "operator"),
            ({"offered_at": "2026-10-05T09:00:00"}, "offered_at"),
            ({"answered_at": "2026-10-05T09:00:12"}, "answered_at"),
            ({"ended_at": "2026-10-05 09:02:42"}, "ended_at"),
            ({"offered_at": "yesterday"}, "offered_at"),
            ({"caller": "84951234567"}, "caller"),
            ({"caller": "+7 495 123-45-67"}, "caller"),
            ({"direction": "sideways"}, "direction"),
            ({"external_id": ""}, "external_id"),
            ({"external_id": "x" * 65}, "external_id"),
            ({"recording_url": "not a url"}, "recording_url"),
        ],
    )
    def test_bad_input_is_400_naming_the_field(self, admin_api, hotline, ivan, overrides, field):
        response = admin_api.post(URL, new_call(**overrides))

        assert response.status_code == 400
        body = response.json()
        assert body["code"] == "invalid"
        assert list(body["errors"]) == [field]
        assert not Call.objects.exists()
        assert not Contact.objects.exists()

    @pytest.mark.parametrize(
        ("overrides", "field"),
        [
            ({"project": "hot\x00line"}, "project"),
            ({"operator": "iv\x00an"}, "operator"),
            ({"external_id": "cdr\x00"}, "external_id"),
            ({"wrap_seconds": 2**31}, "wrap_seconds"),
            ({"offered_at": "9999-12-31T23:59:59-05:00"}, "offered_at"),
        ],
    )
    def test_input_the_database_would_choke_on_is_a_400_not_a_500(
        self, admin_api, hotline, ivan, overrides, field
    ):
        response = admin_api.post(URL, new_call(**overrides))

        assert response.status_code == 400
        assert field in response.json()["errors"]
        assert not Call.objects.exists()

    def test_missing_required_fields_are_named(self, admin_api, hotline):
        response = admin_api.post(URL, {"project": "hotline"})

        assert response.status_code == 400
        assert set(response.json()["errors"]) == {"external_id", "offered_at", "ended_at"}

    def test_messages_say_what_to_fix(self, admin_api, hotline, ivan):
        naive = admin_api.post(URL, new_call(offered_at="2026-10-05T09:00:00")).json()
        hold = admin_api.post(URL, new_call(hold_seconds=151)).json()
        operator = admin_api.post(URL, new_call(answered_at=None)).json()

        assert naive["errors"]["offered_at"] == [
            "Datetime has no timezone offset; send ISO 8601 with an offset or 'Z'."
        ]
        assert hold["errors"]["hold_seconds"] == [
            "Cannot exceed the connected time (150 s from answered_at to ended_at)."
        ]
        assert operator["errors"]["operator"] == ["An unanswered call has no operator."]

    def test_hold_may_fill_a_fractional_connected_second_rounded_up(self, admin_api, hotline, ivan):
        response = admin_api.post(
            URL, new_call(ended_at="2026-10-05T09:02:41.500Z", hold_seconds=150)
        )

        assert response.status_code == 201
        assert Call.objects.get().connected_seconds == 150


class TestList:
    @pytest.fixture
    def calls(self, hotline, ivan):
        sales = ProjectFactory(code="sales")
        maria = OperatorFactory(code="maria")
        return {
            "early": CallFactory(project=hotline, operator=ivan, offered_at=T0),
            "abandoned": CallFactory(
                project=hotline,
                operator=None,
                offered_at=T0 + dt.timedelta(minutes=30),
                answered_at=None,
                hold_seconds=0,
                wrap_seconds=0,
            ),
            "outbound": CallFactory(
                project=hotline,
                operator=maria,
                direction="outbound",
                offered_at=T0 + dt.timedelta(hours=1),
            ),
            "sales": CallFactory(
                project=sales, operator=ivan, offered_at=T0 + dt.timedelta(hours=2)
            ),
        }

    def ids(self, response):
        assert response.status_code == 200, response.json()
        return [c["id"] for c in response.json()["results"]]

    def test_unauthenticated_request_is_401(self, anon_api, calls):
        assert anon_api.get(URL).status_code == 401
        assert anon_api.post(URL, new_call()).status_code == 401

    def test_lists_newest_first_with_factory_numbers(self, admin_api, calls):
        response = admin_api.get(URL)

        assert self.ids(response) == [
            calls[k].pk for k in ("sales", "outbound", "abandoned", "early")
        ]
        early = response.json()["results"][3]
        assert (
            early["wait_seconds"],
            early["connected_seconds"],
            early["talk_seconds"],
            early["handle_seconds"],
            early["outcome"],
        ) == (12, 150, 140, 170, "answered")
        abandoned = response.json()["results"][2]
        assert (abandoned["wait_seconds"], abandoned["handle_seconds"], abandoned["outcome"]) == (
            150,
            0,
            "abandoned",
        )

    @pytest.mark.parametrize(
        ("query", "expected"),
        [
            ("project=hotline", ["outbound", "abandoned", "early"]),
            ("project=nowhere", []),
            ("operator=ivan", ["sales", "early"]),
            ("outcome=abandoned", ["abandoned"]),
            ("outcome=answered", ["sales", "outbound", "early"]),
            ("direction=outbound", ["outbound"]),
            ("from=2026-10-05T09:30:00Z", ["sales", "outbound", "abandoned"]),
            ("to=2026-10-05T09:30:00Z", ["early"]),
            ("from=2026-10-05T12:30:00%2B03:00&to=2026-10-05T13:00:00%2B03:00", ["abandoned"]),
            # An unencoded "+" arrives as a space; it is read as the offset sign.
            ("from=2026-10-05T12:30:00+03:00&to=2026-10-05T13:00:00+03:00", ["abandoned"]),
            ("project=hotline&operator=maria&outcome=answered", ["outbound"]),
        ],
    )
    def test_filters(self, admin_api, calls, query, expected):
        response = admin_api.get(f"{URL}?{query}")

        assert self.ids(response) == [calls[k].pk for k in expected]

    @pytest.mark.parametrize(
        ("query", "field"),
        [
            ("from=2026-10-05T09:30:00", "from"),
            ("to=2026-10-05", "to"),
            ("from=soon", "from"),
            ("outcome=maybe", "outcome"),
            ("direction=up", "direction"),
        ],
    )
    def test_bad_filters_are_400_naming_the_parameter(self, admin_api, calls, query, field):
        response = admin_api.get(f"{URL}?{query}")

        assert response.status_code == 400
        assert list(response.json()["errors"]) == [field]

    def test_cursor_pagination_walks_every_call_once(self, admin_api, calls):
        seen = []
        response = admin_api.get(f"{URL}?page_size=3")
        assert response.json()["previous"] is None
        while True:
            seen += self.ids(response)
            if not response.json()["next"]:
                break
            response = admin_api.get(response.json()["next"])

        assert seen == [calls[k].pk for k in ("sales", "outbound", "abandoned", "early")]

    def test_the_cursor_keeps_filters(self, admin_api, calls):
        first = admin_api.get(f"{URL}?project=hotline&page_size=2")
        second = admin_api.get(first.json()["next"])

        assert self.ids(first) + self.ids(second) == [
            calls[k].pk for k in ("outbound", "abandoned", "early")
        ]
        assert second.json()["next"] is None

    def test_calls_at_the_same_instant_are_ordered_by_id(self, admin_api, hotline):
        same = [CallFactory(project=hotline, offered_at=T0) for _ in range(3)]

        first = admin_api.get(f"{URL}?page_size=2")
        second = admin_api.get(first.json()["next"])

        assert self.ids(first) + self.ids(second) == [c.pk for c in reversed(same)]

    @pytest.mark.parametrize("rows", [1, 12])
    def test_query_count_does_not_grow_with_rows(
        self, admin_api, hotline, rows, django_assert_num_queries
    ):
        for n in range(rows):
            CallFactory(project=hotline, offered_at=T0 + dt.timedelta(minutes=n))

        # The token with its user, then one page of calls with project and operator joined.
        with django_assert_num_queries(2):
            response = admin_api.get(URL)

        assert len(response.json()["results"]) == rows

    @pytest.mark.parametrize("rows", [1, 12])
    def test_a_scoped_list_costs_one_query_more(
        self, integration_api, integration_client, rows, django_assert_num_queries
    ):
        project = ProjectFactory(client=integration_client)
        for n in range(rows):
            CallFactory(project=project, offered_at=T0 + dt.timedelta(minutes=n))

        # The token, the integration binding, the page.
        with django_assert_num_queries(3):
            response = integration_api.get(URL)

        assert len(response.json()["results"]) == rows


class TestScope:
    def test_a_pm_sees_only_calls_of_managed_projects(self, pm_api, pm_project, hotline):
        own = CallFactory(project=pm_project)
        other = CallFactory(project=hotline)

        response = pm_api.get(URL)

        assert [c["id"] for c in response.json()["results"]] == [own.pk]
        assert pm_api.get(detail(other.pk)).status_code == 404
        assert pm_api.get(f"{URL}?project=hotline").json()["results"] == []

    def test_a_pm_sends_calls_for_managed_projects_only(self, pm_api, pm_project, hotline, ivan):
        assert pm_api.post(URL, new_call(project="pm-hotline")).status_code == 201
        refused = pm_api.post(URL, new_call(project="hotline"))

        assert refused.status_code == 400
        assert refused.json()["errors"] == {"project": ["Unknown project 'hotline'."]}

    def test_an_integration_sees_only_its_clients_calls(
        self, integration_api, integration_client, hotline
    ):
        own = CallFactory(project=ProjectFactory(client=integration_client))
        other = CallFactory(project=hotline)

        response = integration_api.get(URL)

        assert [c["id"] for c in response.json()["results"]] == [own.pk]
        assert integration_api.get(detail(other.pk)).status_code == 404
        assert integration_api.get(detail(own.pk)).status_code == 200

    def test_an_integration_sends_calls_for_its_clients_projects(
        self, integration_api, integration_client, hotline, ivan
    ):
        ProjectFactory(client=integration_client, code="crm-line")

        created = integration_api.post(URL, new_call(project="crm-line"))
        refused = integration_api.post(URL, new_call(project="hotline"))

        assert created.status_code == 201
        assert refused.status_code == 400
        # Another client's project reads exactly as one that does not exist.
        assert refused.json()["errors"] == {"project": ["Unknown project 'hotline'."]}
        assert list(Call.objects.values_list("project__code", flat=True)) == ["crm-line"]


class TestMalformedRequests:
    def test_malformed_json_is_a_400_and_stores_nothing(self, admin_api, hotline, ivan):
        response = admin_api.generic(
            "POST", URL, '[{"external_id": "cdr-1", "project": ', content_type="application/json"
        )

        assert response.status_code == 400
        assert response.json()["code"] == "parse_error"
        assert response.json()["detail"].startswith("JSON parse error")
        assert Call.objects.count() == 0

    def test_a_batch_over_10000_rows_is_a_400_and_stores_nothing(self, admin_api, hotline, ivan):
        batch = [new_call(external_id=f"cdr-{n}") for n in range(10_001)]

        response = admin_api.post(URL, batch)

        assert response.status_code == 400
        assert "10000" in response.json()["detail"].replace(",", "")
        assert Call.objects.count() == 0

    def test_neither_an_object_nor_a_list_is_a_400(self, admin_api, hotline):
        response = admin_api.post(URL, "just a string")

        assert response.status_code == 400
        assert response.json()["errors"] == {"non_field_errors": ["Expected an object or a list."]}
