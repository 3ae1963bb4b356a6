"""An issued invoice never changes (SPEC section 7), enforced by PostgreSQL itself.

Triggers refuse, whatever code writes (ORM, queryset.update, raw SQL, psql):
- UPDATE or DELETE of an invoice that is not a draft, except issued -> paid (setting
  paid_at) and issued -> void (setting voided_at), with every other column unchanged;
- INSERT, UPDATE or DELETE of a line or coverage window of an invoice that is not a draft.

The error is SQLSTATE 23001 (restrict_violation), which Django raises as IntegrityError.
TRUNCATE (test flushes) fires no row trigger.
"""

from django.db import migrations

FORWARD = r"""
CREATE FUNCTION billing_invoice_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    frozen_old jsonb;
    frozen_new jsonb;
BEGIN
    IF OLD.status = 'draft' THEN
        RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    END IF;
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'billing: invoice % is %, it cannot be deleted', OLD.id, OLD.status
            USING ERRCODE = 'restrict_violation';
    END IF;
    frozen_old := to_jsonb(OLD) - 'status' - 'paid_at' - 'voided_at';
    frozen_new := to_jsonb(NEW) - 'status' - 'paid_at' - 'voided_at';
    IF frozen_new = frozen_old AND (
        -- a no-op write (say, a save() of unchanged fields) changes nothing
        (NEW.status = OLD.status AND NEW.paid_at IS NOT DISTINCT FROM OLD.paid_at
            AND NEW.voided_at IS NOT DISTINCT FROM OLD.voided_at)
        OR (OLD.status = 'issued' AND NEW.status = 'paid' AND OLD.paid_at IS NULL
            AND NEW.paid_at IS NOT NULL AND NEW.voided_at IS NOT DISTINCT FROM OLD.voided_at)
        OR (OLD.status = 'issued' AND NEW.status = 'void' AND OLD.voided_at IS NULL
            AND NEW.voided_at IS NOT NULL AND NEW.paid_at IS NOT DISTINCT FROM OLD.paid_at)
    ) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'billing: invoice % is %, it cannot change (only issued -> paid or void)',
        OLD.id, OLD.status
        USING ERRCODE = 'restrict_violation';
END
$$;

CREATE TRIGGER billing_invoice_guard
    BEFORE UPDATE OR DELETE ON billing_invoice
    FOR EACH ROW EXECUTE FUNCTION billing_invoice_guard();

CREATE FUNCTION billing_invoice_part_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    invoice_status text;
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        SELECT status INTO invoice_status FROM billing_invoice WHERE id = OLD.invoice_id;
        IF invoice_status IS DISTINCT FROM 'draft' AND invoice_status IS NOT NULL THEN
            RAISE EXCEPTION 'billing: invoice % is %, its % cannot change',
                OLD.invoice_id, invoice_status, TG_TABLE_NAME
                USING ERRCODE = 'restrict_violation';
        END IF;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        SELECT status INTO invoice_status FROM billing_invoice WHERE id = NEW.invoice_id;
        IF invoice_status IS DISTINCT FROM 'draft' AND invoice_status IS NOT NULL THEN
            RAISE EXCEPTION 'billing: invoice % is %, its % cannot change',
                NEW.invoice_id, invoice_status, TG_TABLE_NAME
                USING ERRCODE = 'restrict_violation';
        END IF;
        RETURN NEW;
    END IF;
    RETURN OLD;
END
$$;

CREATE TRIGGER billing_invoiceline_guard
    BEFORE INSERT OR UPDATE OR DELETE ON billing_invoiceline
    FOR EACH ROW EXECUTE FUNCTION billing_invoice_part_guard();

CREATE TRIGGER billing_invoicecoverage_guard
    BEFORE INSERT OR UPDATE OR DELETE ON billing_invoicecoverage
    FOR EACH ROW EXECUTE FUNCTION billing_invoice_part_guard();
"""

REVERSE = r"""
DROP TRIGGER IF EXISTS billing_invoicecoverage_guard ON billing_invoicecoverage;
DROP TRIGGER IF EXISTS billing_invoiceline_guard ON billing_invoiceline;
DROP FUNCTION IF EXISTS billing_invoice_part_guard();
DROP TRIGGER IF EXISTS billing_invoice_guard ON billing_invoice;
DROP FUNCTION IF EXISTS billing_invoice_guard();
"""


class Migration(migrations.Migration):
    dependencies = [("billing", "0003_invoice_coverage")]

    operations = [migrations.RunSQL(FORWARD, REVERSE)]
