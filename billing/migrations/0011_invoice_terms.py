"""Invoice terms: the due date (set at issue), the count of calls that arrived after a draft
was built, and the database's refusal to issue an invoice whose amounts do not add up.

The trigger fires when an invoice leaves ``draft``: its subtotal must be the sum of its
lines' amounts, and its VAT and total follow the rule of ``billing.rating`` /
``billing.invoicing.invoice_totals``: VAT on top, ``vat = round(subtotal * rate, 2)`` and
``total = subtotal + vat``; VAT included, ``total = subtotal`` and
``vat = round(total * rate / (1 + rate), 2)`` (half-up: PostgreSQL's ``round`` of a positive
numeric). SQLSTATE 23514 (check_violation), which Django raises as IntegrityError.
"""

from django.db import migrations, models

FORWARD = r"""
CREATE FUNCTION billing_invoice_issue_check() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    lines_sum numeric;
    expected_vat numeric;
BEGIN
    SELECT COALESCE(sum(amount), 0) INTO lines_sum
        FROM billing_invoiceline WHERE invoice_id = NEW.id;
    IF NEW.subtotal <> lines_sum THEN
        RAISE EXCEPTION 'billing: invoice % cannot be issued: subtotal % is not the sum of its lines %',
            NEW.id, NEW.subtotal, lines_sum
            USING ERRCODE = 'check_violation';
    END IF;
    IF NEW.vat_included THEN
        expected_vat := round(NEW.subtotal * NEW.vat_rate / (1 + NEW.vat_rate), 2);
        IF NEW.total <> NEW.subtotal OR NEW.vat <> expected_vat THEN
            RAISE EXCEPTION 'billing: invoice % cannot be issued: with VAT included the total % must equal the subtotal % and the VAT % be %',
                NEW.id, NEW.total, NEW.subtotal, NEW.vat, expected_vat
                USING ERRCODE = 'check_violation';
        END IF;
    ELSE
        expected_vat := round(NEW.subtotal * NEW.vat_rate, 2);
        IF NEW.vat <> expected_vat OR NEW.total <> NEW.subtotal + NEW.vat THEN
            RAISE EXCEPTION 'billing: invoice % cannot be issued: VAT % must be % and the total % the subtotal plus VAT',
                NEW.id, NEW.vat, expected_vat, NEW.total
                USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER billing_invoice_issue_check
    BEFORE UPDATE ON billing_invoice
    FOR EACH ROW WHEN (OLD.status = 'draft' AND NEW.status <> 'draft')
    EXECUTE FUNCTION billing_invoice_issue_check();
"""

BACKWARD = r"""
DROP TRIGGER IF EXISTS billing_invoice_issue_check ON billing_invoice;
DROP FUNCTION IF EXISTS billing_invoice_issue_check();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0010_payments_delivery"),
    ]

    operations = [
        migrations.AddField(
            model_name="invoice",
            name="calls_after_build",
            field=models.PositiveIntegerField(
                default=0,
                help_text="Answered calls of the period received at or after the watermark when the invoice was last built (in flight then): a later build, the issue or the next invoice bills them (docs/billing.md, 'Drafts are complete').",
            ),
        ),
        migrations.AddField(
            model_name="invoice",
            name="due_date",
            field=models.DateField(
                blank=True,
                help_text="Set at issue: the issue date plus the client's payment terms (days).",
                null=True,
            ),
        ),
        migrations.RunSQL(FORWARD, BACKWARD),
    ]
