"""The guard holds: as the application's role, the issued-invoice triggers cannot be switched
off, TRUNCATE is refused to everyone but the test flush, and `make db` builds both roles.

The test database is created by the superuser (pytest-django needs CREATEDB); the
application role is created and granted on it with the code `make db` runs
(contactcenter.db_roles), then a separate connection logs in as that role.
"""

import psycopg
import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from psycopg import errors, sql

from contactcenter import db_roles


def _params(dbname, user=None):
    db = connection.settings_dict
    return {
        "dbname": dbname,
        "user": user or db["USER"],
        "password": None if user else db.get("PASSWORD") or None,
        "host": db["HOST"] or "127.0.0.1",
        "port": db["PORT"] or 5432,
    }


@pytest.fixture
def as_app(django_db_setup):
    """A connection to the test database as the application role, granted as `make db` does
    (the tables' owner here is whoever ran the test migrations)."""
    name = connection.settings_dict["NAME"]
    with psycopg.connect(**_params(name), autocommit=True) as superuser:
        db_roles.ensure_role(superuser, db_roles.Role(db_roles.APP_ROLE))
        (owner,) = superuser.execute(
            "SELECT tableowner FROM pg_tables WHERE tablename = 'billing_invoice'"
        ).fetchone()
        db_roles.grant_app_role(superuser, database=name, owner=owner, app=db_roles.APP_ROLE)
        with psycopg.connect(**_params(name, db_roles.APP_ROLE), autocommit=True) as app:
            yield app, superuser


def _refused(conn, statement):
    with pytest.raises(errors.InsufficientPrivilege) as refusal:
        conn.execute(statement)
    return str(refusal.value).splitlines()[0]


def test_the_app_role_cannot_switch_the_invoice_guard_off_but_reads_and_writes(as_app):
    app, _ = as_app

    who = "SELECT current_user, rolsuper FROM pg_roles WHERE rolname = current_user"
    assert app.execute(who).fetchone() == (db_roles.APP_ROLE, False)
    assert _refused(app, "ALTER TABLE billing_invoice DISABLE TRIGGER ALL") == (
        "must be owner of table billing_invoice"
    )
    assert _refused(app, "SET session_replication_role = replica") == (
        'permission denied to set parameter "session_replication_role"'
    )
    assert _refused(app, "TRUNCATE billing_invoiceline") == (
        "permission denied for table billing_invoiceline"
    )
    assert _refused(app, "DROP TRIGGER billing_invoice_guard ON billing_invoice") == (
        "must be owner of relation billing_invoice"
    )
    assert _refused(app, "CREATE TABLE intruder (id int)") == "permission denied for schema public"
    assert app.execute("SHOW session_replication_role").fetchone() == ("origin",)
    assert app.execute("SELECT count(*) FROM billing_invoice").fetchone() == (0,)
    with app.transaction(force_rollback=True):  # rows: insert (its identity), update, delete
        insert = "INSERT INTO auth_group (name) VALUES ('probe') RETURNING id"
        (pk,) = app.execute(insert).fetchone()
        app.execute("UPDATE auth_group SET name = 'probed' WHERE id = %s", [pk])
        assert app.execute("DELETE FROM auth_group WHERE id = %s", [pk]).rowcount == 1


def test_a_table_a_later_migration_creates_is_granted_to_the_app_role(as_app):
    app, superuser = as_app
    superuser.execute("CREATE TABLE later_migration_probe (id int)")
    try:
        assert app.execute("SELECT count(*) FROM later_migration_probe").fetchone() == (0,)
        assert _refused(app, "TRUNCATE later_migration_probe") == (
            "permission denied for table later_migration_probe"
        )
    finally:
        superuser.execute("DROP TABLE later_migration_probe")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "statement",
    [
        "TRUNCATE billing_invoiceline",
        "TRUNCATE billing_invoice CASCADE",
        "TRUNCATE billing_invoicenumbersequence",
        "TRUNCATE projects_client CASCADE",  # reaches the invoices through their client
    ],
)
def test_truncate_of_the_invoice_tables_is_refused_even_to_the_superuser(statement):
    refused = pytest.raises(IntegrityError, match="cannot be truncated: issued invoices")
    with refused, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)


@pytest.mark.django_db
def test_the_test_flush_setting_is_the_one_way_through():
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT set_config('contactcenter.allow_truncate', 'on', true)")
        cursor.execute("TRUNCATE billing_invoiceline")
        transaction.set_rollback(True)
    # Transaction-local: gone with its transaction.
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("TRUNCATE billing_invoiceline")


PROBE = "cc_roles_probe"


@pytest.fixture
def probe_urls(settings, django_db_setup):
    host, port = _params(PROBE)["host"], _params(PROBE)["port"]
    settings.DATABASE_URL = f"postgres://{db_roles.APP_ROLE}@{host}:{port}/{PROBE}"
    settings.MIGRATE_DATABASE_URL = f"postgres://{db_roles.OWNER_ROLE}@{host}:{port}/{PROBE}"
    yield
    with psycopg.connect(**_params("postgres"), autocommit=True) as superuser:
        superuser.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(PROBE))
        )


def test_ensure_database_creates_both_roles_and_the_owners_database_idempotently(probe_urls):
    call_command("ensure_database", stdout=None)
    call_command("ensure_database", stdout=None)

    with psycopg.connect(**_params("postgres"), autocommit=True) as superuser:
        (owner,) = superuser.execute(
            "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = %s", [PROBE]
        ).fetchone()
        roles = superuser.execute(
            "SELECT rolname, rolcanlogin, rolsuper, rolcreatedb, rolcreaterole, rolbypassrls "
            "FROM pg_roles WHERE rolname IN (%s, %s) ORDER BY rolname",
            [db_roles.APP_ROLE, db_roles.OWNER_ROLE],
        ).fetchall()
    assert owner == db_roles.OWNER_ROLE
    assert roles == [
        (db_roles.APP_ROLE, True, False, False, False, False),
        (db_roles.OWNER_ROLE, True, False, False, False, False),
    ]
    with psycopg.connect(**_params(PROBE, db_roles.OWNER_ROLE), autocommit=True) as owner_conn:
        owner_conn.execute("CREATE TABLE probe (id int)")
        owner_conn.execute("CREATE SEQUENCE probe_seq")
    with psycopg.connect(**_params(PROBE, db_roles.APP_ROLE), autocommit=True) as app:
        assert app.execute("SELECT count(*) FROM probe").fetchone() == (0,)
        assert app.execute("SELECT nextval('probe_seq')").fetchone() == (1,)
        assert _refused(app, "TRUNCATE probe") == "permission denied for table probe"
        assert _refused(app, "ALTER TABLE probe ADD COLUMN x int") == (
            "must be owner of table probe"
        )
