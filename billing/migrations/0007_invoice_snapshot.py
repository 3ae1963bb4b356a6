"""Invoice.snapshot: what an issued invoice keeps of both parties, its VAT and its tariffs.

The data step fills the snapshot of every invoice already issued, paid or void from today's
data (the best record there is). The issued-invoice guard (0004) refuses any change of such
a row, so it is disabled for this step only, as the tables' owner, and enabled again in the
same transaction.
"""

from collections import defaultdict

from django.db import migrations, models

from billing.frozen import build_snapshot


def fill_snapshots(apps, schema_editor):
    Invoice = apps.get_model("billing", "Invoice")
    Tariff = apps.get_model("billing", "Tariff")
    Project = apps.get_model("projects", "Project")
    issued = Invoice.objects.exclude(status="draft").filter(snapshot__isnull=True)
    if not issued.exists():
        return
    with schema_editor.connection.cursor() as cursor:
        # ALTER TABLE refuses while deferred (foreign key) checks are pending: run them now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("ALTER TABLE billing_invoice DISABLE TRIGGER billing_invoice_guard")
    for invoice in issued.select_related("client").order_by("id"):
        months = set(invoice.coverage.values_list("service_period", flat=True))
        months.update(invoice.lines.values_list("service_period", flat=True))
        project_ids = set(invoice.lines.values_list("project_id", flat=True))
        tariffs = defaultdict(list)
        rows = Tariff.objects.filter(project_id__in=project_ids).prefetch_related("bands")
        for tariff in rows.order_by("project_id", "valid_from"):
            tariffs[tariff.project_id].append(tariff)
        snapshot = build_snapshot(
            invoice=invoice,
            client=invoice.client,
            projects=list(Project.objects.filter(id__in=project_ids)),
            tariffs=tariffs,
            months=months or {invoice.period},
        )
        Invoice.objects.filter(pk=invoice.pk).update(snapshot=snapshot)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("ALTER TABLE billing_invoice ENABLE TRIGGER billing_invoice_guard")


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0006_schedule_last_month_archive"),
        ("projects", "0003_project_qa_evaluators_trainers"),
    ]

    operations = [
        migrations.AddField(
            model_name="invoice",
            name="snapshot",
            field=models.JSONField(
                blank=True,
                editable=False,
                help_text="Taken at issue: both parties, VAT, projects and tariffs as rated; "
                "every export of an issued invoice reads it (docs/billing.md, 'Frozen "
                "documents').",
                null=True,
            ),
        ),
        migrations.RunPython(fill_snapshots, migrations.RunPython.noop),
    ]
