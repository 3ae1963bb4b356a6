"""TRUNCATE of the invoice tables is refused, the owner's and a superuser's included.

TRUNCATE fires no row trigger, so the issued-invoice guard (0004) never saw it; a statement
trigger does. The application's role holds no TRUNCATE privilege anyway; this stops the
owner (a migration, a maintenance script) and a superuser's psql. The one exception: a
transaction that set ``contactcenter.allow_truncate`` to ``on``, which only the test run's
flush does (contactcenter.db_backend). Deliberate removal stays possible for the owner
(DROP TRIGGER), visibly. The error is SQLSTATE 23001 (restrict_violation), as in 0004.
"""

from django.db import migrations

TABLES = (
    "billing_invoice",
    "billing_invoiceline",
    "billing_invoicecoverage",
    "billing_invoicenumbersequence",
)

FUNCTION = r"""
CREATE FUNCTION billing_refuse_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('contactcenter.allow_truncate', true) = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'billing: % cannot be truncated: issued invoices and their numbers never change',
        TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END
$$;
"""

FORWARD = FUNCTION + "".join(
    f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
    "FOR EACH STATEMENT EXECUTE FUNCTION billing_refuse_truncate();\n"
    for table in TABLES
)

REVERSE = "".join(
    f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};\n" for table in TABLES
) + "DROP FUNCTION IF EXISTS billing_refuse_truncate();\n"


class Migration(migrations.Migration):
    dependencies = [("billing", "0007_invoice_snapshot")]

    operations = [migrations.RunSQL(FORWARD, REVERSE)]
