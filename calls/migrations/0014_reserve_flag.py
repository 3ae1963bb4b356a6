"""Reserve lines: ``Call.inside_client_hours``, set by the database on every write, and the
``reserve_inside_hours`` rollup counter; existing calls and rollup rows are backfilled.

A BEFORE trigger rather than Python: every path that stores a call (``calls_ingest``'s
COPY for the API, CSV and queue_log, the admin, the simulator, raw SQL) gets the same flag
from the same rule, and the cost is one index probe on a tiny table per stored call.
"""

from django.db import migrations, models

FUNCTIONS = """
CREATE FUNCTION calls_inside_client_hours(project bigint, at timestamptz) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT EXISTS (
        SELECT 1
        FROM projects_project p
        JOIN projects_businesshours b ON b.project_id = p.id
        WHERE p.id = project
          AND p.service_mode = 'reserve'
          AND b.weekday = extract(isodow FROM at AT TIME ZONE p.timezone)::int - 1
          AND (at AT TIME ZONE p.timezone)::time >= b.opens
          AND ((at AT TIME ZONE p.timezone)::time < b.closes OR b.closes = '00:00')
    )
$$;

CREATE FUNCTION calls_call_set_inside_client_hours() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.inside_client_hours := NEW.direction = 'inbound'
        AND calls_inside_client_hours(NEW.project_id, NEW.offered_at);
    RETURN NEW;
END
$$;

CREATE TRIGGER calls_call_inside_client_hours
BEFORE INSERT OR UPDATE OF project_id, offered_at, direction ON calls_call
FOR EACH ROW EXECUTE FUNCTION calls_call_set_inside_client_hours();
"""

DROP_FUNCTIONS = """
DROP TRIGGER IF EXISTS calls_call_inside_client_hours ON calls_call;
DROP FUNCTION IF EXISTS calls_call_set_inside_client_hours();
DROP FUNCTION IF EXISTS calls_inside_client_hours(bigint, timestamptz);
"""

BACKFILL = """
UPDATE calls_call c SET inside_client_hours = true
WHERE c.direction = 'inbound'
  AND c.project_id IN (SELECT id FROM projects_project WHERE service_mode = 'reserve')
  AND calls_inside_client_hours(c.project_id, c.offered_at);

UPDATE calls_projectinterval i SET reserve_inside_hours = f.n
FROM (
    SELECT project_id,
           date_bin('15 minutes', offered_at, TIMESTAMPTZ '2000-01-01 00:00:00+00') AS start,
           count(*) AS n
    FROM calls_call WHERE inside_client_hours GROUP BY 1, 2
) f
WHERE i.project_id = f.project_id AND i.interval_start = f.start;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("calls", "0013_quality_moved_out"),
        ("projects", "0004_integration_kind"),
    ]

    operations = [
        migrations.AddField(
            model_name="call",
            name="inside_client_hours",
            field=models.BooleanField(
                db_default=False,
                default=False,
                editable=False,
                help_text=(
                    "An inbound call of a reserve project offered inside the client's own "
                    "business hours; set by the database on every write (migration calls/0014)."
                ),
            ),
        ),
        migrations.AddField(
            model_name="projectinterval",
            name="reserve_inside_hours",
            field=models.PositiveIntegerField(db_default=0, default=0),
        ),
        migrations.RunSQL(FUNCTIONS, DROP_FUNCTIONS),
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop),
    ]
