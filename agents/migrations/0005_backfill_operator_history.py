"""Open the lifecycle history of the operators that exist before it: an operator with a
hire date gets "candidate -> active" on that date, a dismissed one also "active ->
dismissed" on the day they left (reason "other"), so turnover counts them from the start."""

from django.db import migrations

NOTE = "Opened from the operator's dates when the history began."


def backfill(apps, schema_editor):
    Operator = apps.get_model("agents", "Operator")
    Change = apps.get_model("agents", "OperatorStatusChange")
    rows = []
    operators = Operator.objects.filter(hired_on__isnull=False, status_changes__isnull=True)
    for operator in operators.iterator():
        rows.append(
            Change(
                operator=operator,
                from_status="candidate",
                to_status="active",
                effective_on=operator.hired_on,
                note=NOTE,
            )
        )
        if operator.status == "dismissed" and operator.left_on:
            rows.append(
                Change(
                    operator=operator,
                    from_status="active",
                    to_status="dismissed",
                    effective_on=operator.left_on,
                    reason="other",
                    note=NOTE,
                )
            )
        if len(rows) >= 5000:
            Change.objects.bulk_create(rows)
            rows = []
    Change.objects.bulk_create(rows)


class Migration(migrations.Migration):
    dependencies = [("agents", "0004_people")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
