"""Shifts name their project (optional: the pool) and carry planned activities (break,
lunch, training, meeting). An activity lies inside its shift: a trigger checks it on every
write of an activity and of a shift's bounds (SQLSTATE 23514, check_violation, which Django
raises as IntegrityError); the services check it first and answer a 400 naming
``activities``."""

import agents.models
import django.contrib.postgres.constraints
import django.db.models.deletion
from django.db import migrations, models


FORWARD = r"""
CREATE FUNCTION agents_shift_activity_inside() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (
        SELECT 1 FROM agents_shift s
        WHERE s.id = NEW.shift_id AND s.starts_at <= NEW.starts_at AND NEW.ends_at <= s.ends_at
    ) THEN
        RAISE EXCEPTION 'agents: activity % outside its shift %', NEW.id, NEW.shift_id
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER agents_shift_activity_inside
    BEFORE INSERT OR UPDATE ON agents_shiftactivity
    FOR EACH ROW EXECUTE FUNCTION agents_shift_activity_inside();

CREATE FUNCTION agents_shift_holds_activities() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (
        SELECT 1 FROM agents_shiftactivity a
        WHERE a.shift_id = NEW.id AND (a.starts_at < NEW.starts_at OR a.ends_at > NEW.ends_at)
    ) THEN
        RAISE EXCEPTION 'agents: shift % would leave an activity outside it', NEW.id
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER agents_shift_holds_activities
    AFTER UPDATE OF starts_at, ends_at ON agents_shift
    FOR EACH ROW EXECUTE FUNCTION agents_shift_holds_activities();
"""

BACKWARD = r"""
DROP TRIGGER agents_shift_holds_activities ON agents_shift;
DROP FUNCTION agents_shift_holds_activities();
DROP TRIGGER agents_shift_activity_inside ON agents_shiftactivity;
DROP FUNCTION agents_shift_activity_inside();
"""


class Migration(migrations.Migration):

    dependencies = [
        ('agents', '0006_wrap_and_break_reasons'),
        ('projects', '0004_integration_kind'),
    ]

    operations = [
        migrations.AddField(
            model_name='shift',
            name='project',
            field=models.ForeignKey(blank=True, help_text='The project the operator works on; empty: the pool (any certified project).', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='shifts', to='projects.project'),
        ),
        migrations.CreateModel(
            name='ShiftActivity',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('break', 'Break'), ('lunch', 'Lunch'), ('training', 'Training'), ('meeting', 'Meeting')], max_length=10)),
                ('starts_at', models.DateTimeField()),
                ('ends_at', models.DateTimeField()),
                ('shift', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='activities', to='agents.shift')),
            ],
            options={
                'ordering': ['shift', 'starts_at'],
                'constraints': [models.CheckConstraint(condition=models.Q(('starts_at__lt', models.F('ends_at'))), name='shift_activity_starts_before_end'), models.CheckConstraint(condition=models.Q(('kind__in', ['break', 'lunch', 'training', 'meeting'])), name='shift_activity_kind_valid'), django.contrib.postgres.constraints.ExclusionConstraint(expressions=[(agents.models.TsTzRange('starts_at', 'ends_at'), '&&'), ('shift', '=')], name='shift_activity_no_overlap')],
            },
        ),
        migrations.RunSQL(FORWARD, BACKWARD),
    ]
