"""API tokens kept as digests; the keys of DRF's authtoken table move in, hashed.

Each existing ``authtoken_token`` key becomes a token named "default" stored as its SHA-256
digest (the same digest contactcenter.tokens computes), so every integration keeps working
with its key; then the table, the last copy of the keys in clear, is dropped, with its
migration records (the app left INSTALLED_APPS). Backwards the keys cannot come back: the
tokens table is dropped and the keys must be issued again.
"""

import hashlib

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models



def move_authtoken_keys(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('authtoken_token') IS NOT NULL")
        if not cursor.fetchone()[0]:
            return  # a database that never had DRF's tokens
        cursor.execute("SELECT key, user_id, created FROM authtoken_token")
        rows = cursor.fetchall()
    ApiToken = apps.get_model("contactcenter", "ApiToken")
    ApiToken.objects.using(connection.alias).bulk_create(
        ApiToken(
            user_id=user_id,
            name="default",
            prefix=key[:8],
            digest=hashlib.sha256(key.encode()).hexdigest(),
            created_at=created,
        )
        for key, user_id, created in rows
    )
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE authtoken_token")
        cursor.execute("DELETE FROM django_migrations WHERE app = 'authtoken'")


class Migration(migrations.Migration):

    dependencies = [
        ('contactcenter', '0002_schedule_purge'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ApiToken',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(default='default', max_length=100, verbose_name='name')),
                ('prefix', models.CharField(help_text="The key's first characters, to recognise it.", max_length=16, verbose_name='prefix')),
                ('digest', models.CharField(help_text='SHA-256 of the key, hex.', max_length=64, unique=True)),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='created')),
                ('last_used_at', models.DateTimeField(blank=True, help_text='Recorded at most once a minute.', null=True, verbose_name='last used')),
                ('expires_at', models.DateTimeField(blank=True, null=True, verbose_name='expires')),
                ('revoked_at', models.DateTimeField(blank=True, help_text="Refused from this instant on (after a rotation's grace period).", null=True, verbose_name='revoked')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='api_tokens', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'API token',
                'verbose_name_plural': 'API tokens',
                'constraints': [models.UniqueConstraint(condition=models.Q(('revoked_at__isnull', True)), fields=('user', 'name'), name='api_token_live_name_per_user')],
            },
        ),
        migrations.RunPython(move_authtoken_keys, migrations.RunPython.noop),
    ]
