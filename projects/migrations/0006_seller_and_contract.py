"""Sellers (our legal entities) as data, and the client's contract, ОГРН and payment terms.

The first seller, code ``main``, is created from the SELLER_* settings (the last place they
are read), so the invoices issued before and the demo keep their seller; every client
without a seller uses it while it is the only one.
"""

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

SELLER_SETTINGS = {
    "name": "SELLER_NAME",
    "inn": "SELLER_INN",
    "kpp": "SELLER_KPP",
    "ogrn": "SELLER_OGRN",
    "address": "SELLER_ADDRESS",
    "bank": "SELLER_BANK",
    "bik": "SELLER_BIK",
    "account": "SELLER_ACCOUNT",
    "correspondent_account": "SELLER_CORRESPONDENT_ACCOUNT",
    "director": "SELLER_DIRECTOR",
    "chief_accountant": "SELLER_ACCOUNTANT",
}


def create_main_seller(apps, schema_editor):
    seller = apps.get_model("projects", "Seller")
    values = {key: str(getattr(settings, name, "") or "") for key, name in SELLER_SETTINGS.items()}
    if not values["name"] or not values["inn"] or seller.objects.exists():
        return
    seller.objects.create(code="main", **values)


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0005_verbose_names_i18n"),
    ]

    operations = [
        migrations.AddField(
            model_name="client",
            name="contract_date",
            field=models.DateField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="client",
            name="contract_number",
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.AddField(
            model_name="client",
            name="ogrn",
            field=models.CharField(
                blank=True, help_text="13 or 15 digits.", max_length=15, verbose_name="OGRN"
            ),
        ),
        migrations.AddField(
            model_name="client",
            name="payment_terms_days",
            field=models.PositiveSmallIntegerField(
                default=10,
                help_text="Calendar days from the issue date to the invoice's due date (0-365).",
                validators=[django.core.validators.MaxValueValidator(365)],
            ),
        ),
        migrations.CreateModel(
            name="Seller",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "code",
                    models.SlugField(
                        help_text="Lowercase letters, digits, '-' and '_'; used in URLs and by integrations.",
                        max_length=40,
                        unique=True,
                    ),
                ),
                ("name", models.CharField(max_length=255)),
                (
                    "inn",
                    models.CharField(
                        help_text="10 digits (company) or 12.", max_length=12, verbose_name="INN"
                    ),
                ),
                (
                    "kpp",
                    models.CharField(
                        blank=True, help_text="9 digits, if any.", max_length=9, verbose_name="KPP"
                    ),
                ),
                (
                    "ogrn",
                    models.CharField(
                        blank=True, help_text="13 or 15 digits.", max_length=15, verbose_name="OGRN"
                    ),
                ),
                ("address", models.TextField(blank=True)),
                ("bank", models.CharField(blank=True, max_length=255)),
                ("bik", models.CharField(blank=True, max_length=9, verbose_name="BIK")),
                ("correspondent_account", models.CharField(blank=True, max_length=20)),
                (
                    "account",
                    models.CharField(blank=True, max_length=20, verbose_name="settlement account"),
                ),
                ("director", models.CharField(blank=True, max_length=255)),
                ("chief_accountant", models.CharField(blank=True, max_length=255)),
            ],
            options={
                "ordering": ["code"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("code__regex", "^[a-z0-9][a-z0-9_-]*$")),
                        name="seller_code_format",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("inn__regex", "^[0-9]{10}([0-9]{2})?$")),
                        name="seller_inn_format",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("kpp", ""), ("kpp__regex", "^[0-9]{9}$"), _connector="OR"
                        ),
                        name="seller_kpp_format",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("ogrn", ""), ("ogrn__regex", "^[0-9]{13}([0-9]{2})?$"), _connector="OR"
                        ),
                        name="seller_ogrn_format",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("bik", ""), ("bik__regex", "^[0-9]{9}$"), _connector="OR"
                        ),
                        name="seller_bik_format",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(
                                ("account", ""), ("account__regex", "^[0-9]{20}$"), _connector="OR"
                            ),
                            models.Q(
                                ("correspondent_account", ""),
                                ("correspondent_account__regex", "^[0-9]{20}$"),
                                _connector="OR",
                            ),
                        ),
                        name="seller_accounts_format",
                    ),
                ],
            },
        ),
        migrations.AddField(
            model_name="client",
            name="seller",
            field=models.ForeignKey(
                blank=True,
                help_text="Our legal entity that bills this client; blank: the only seller.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="clients",
                to="projects.seller",
            ),
        ),
        migrations.AddConstraint(
            model_name="client",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("ogrn", ""), ("ogrn__regex", "^[0-9]{13}([0-9]{2})?$"), _connector="OR"
                ),
                name="client_ogrn_format",
            ),
        ),
        migrations.AddConstraint(
            model_name="client",
            constraint=models.CheckConstraint(
                condition=models.Q(("payment_terms_days__lte", 365)),
                name="client_payment_terms_range",
            ),
        ),
        migrations.RunPython(create_main_seller, migrations.RunPython.noop),
    ]
