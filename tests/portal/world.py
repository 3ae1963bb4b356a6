"""The portal's test world: client A (two projects) and client B (one), each with client
users, and calls of October 2026 whose service numbers the tests write out by hand."""

import datetime as dt
from html.parser import HTMLParser

from projects.models import ClientUser
from tests.factories import CallFactory, ClientFactory, ProjectFactory, UserFactory
from tests.factories.billing import local_dt

PASSWORD = "portal-Secret-42"


def call(project, local, *, wait, answered=True, caller="+74951234567", talk=100):
    """An inbound call offered at local time ``local`` (the project's zone)."""
    offered = local_dt(local, project.timezone)
    end_wait = offered + dt.timedelta(seconds=wait)
    if not answered:
        return CallFactory(
            project=project,
            offered_at=offered,
            answered_at=None,
            ended_at=end_wait,
            operator=None,
            hold_seconds=0,
            wrap_seconds=0,
            caller=caller,
        )
    return CallFactory(
        project=project,
        offered_at=offered,
        answered_at=end_wait,
        ended_at=end_wait + dt.timedelta(seconds=talk),
        hold_seconds=0,
        wrap_seconds=10,
        caller=caller,
    )


def client_user(username, client, role="viewer"):
    user = UserFactory(username=username, password=PASSWORD)
    return ClientUser.objects.create(user=user, client=client, role=role)


def build_world():
    alfa = ClientFactory(code="alfa", legal_name="ООО «Альфа»", kpp="770101001")
    beta = ClientFactory(code="beta", legal_name="ООО «Бета»")
    hotline = ProjectFactory(code="alfa-hotline", name="Alfa hotline", client=alfa)
    sales = ProjectFactory(code="alfa-sales", name="Alfa sales", client=alfa)
    foreign = ProjectFactory(code="beta-line", name="Beta line", client=beta)
    # Hotline, Monday 5 October 10:00-10:15 MSK: 1 of 3 counted within 20 s (a short
    # abandon of 3 s is left out): 33.3%, under the 80% target.
    calls = {
        "in_time": call(hotline, "2026-10-05 10:01", wait=10),
        "late": call(hotline, "2026-10-05 10:03", wait=30),
        "abandoned": call(
            hotline, "2026-10-05 10:05", wait=40, answered=False, caller="+79011112233"
        ),
        "short": call(hotline, "2026-10-05 10:07", wait=3, answered=False, caller="+79010000003"),
        # 11:00-11:15: both within 20 s.
        "quick": call(hotline, "2026-10-05 11:02", wait=5),
        "quick2": call(hotline, "2026-10-05 11:04", wait=15),
        # Sales: one answered on the 6th, one abandoned on the 7th.
        "sales": call(sales, "2026-10-06 12:00", wait=12),
        "sales_abandoned": call(
            sales, "2026-10-07 15:00", wait=25, answered=False, caller="+79015556677"
        ),
        # B's: never in A's portal.
        "foreign": call(
            foreign, "2026-10-05 10:02", wait=60, answered=False, caller="+79990000000"
        ),
    }
    users = {
        "viewer": client_user("alfa-viewer", alfa),
        "accountant": client_user("alfa-accountant", alfa, "accountant"),
        "beta_viewer": client_user("beta-viewer", beta),
    }
    return {
        "alfa": alfa,
        "beta": beta,
        "hotline": hotline,
        "sales": sales,
        "foreign": foreign,
        "calls": calls,
        "users": users,
    }


def logged_in(client, username):
    response = client.post("/portal/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    return client


class _Tables(HTMLParser):
    """Every ``<table data-table=...>``: its header cells and body rows as text."""

    def __init__(self):
        super().__init__()
        self.tables, self._table, self._row, self._cell = {}, None, None, None
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and "data-table" in attrs:
            self._table = attrs["data-table"]
            self.tables[self._table] = {"head": [], "rows": []}
        elif self._table and tag == "tr":
            self._row = [] if "empty" not in (attrs.get("class") or "") else None
        elif self._table and self._row is not None and tag in ("td", "th"):
            if "action" in (attrs.get("class") or ""):
                self._skip += 1
            else:
                self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._skip:
            self._skip -= 1
        elif tag in ("td", "th") and self._cell is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None and self._table:
            table = self.tables[self._table]
            if not table["head"]:
                table["head"] = self._row
            else:
                table["rows"].append(self._row)
            self._row = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data):
        if self._cell is not None and not self._skip:
            self._cell.append(data)


def html_tables(response):
    parser = _Tables()
    parser.feed(response.content.decode())
    return parser.tables
