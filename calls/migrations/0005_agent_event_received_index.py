"""Schema: the index on agents_agentstateevent.received_at that the rollup engine needs.

The rollup's dirty detection (calls.rollups) asks every minute for "agent state events
received since the watermark". The table belongs to the agents app, which knows nothing
of rollups (it sits below calls), so the index serving a calls query is created here, by
name, and dropped with this migration. It is not declared in AgentStateEvent.Meta, so the
agents app's migration state does not know it: ``makemigrations`` stays quiet.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("agents", "0001_initial"),
        ("calls", "0004_kpi_rollups"),
    ]

    operations = [
        migrations.RunSQL(
            sql=(
                "CREATE INDEX IF NOT EXISTS agent_event_received_idx "
                "ON agents_agentstateevent (received_at)"
            ),
            reverse_sql="DROP INDEX IF EXISTS agent_event_received_idx",
        ),
    ]
