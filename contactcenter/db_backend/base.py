"""Django's PostgreSQL backend whose flush marks its transaction as a permitted TRUNCATE.

Billing's statement trigger (billing/migrations/0007_truncate_guard.py) refuses TRUNCATE of
the invoice tables unless the transaction set ``contactcenter.allow_truncate`` to ``on``.
The test run's flush (pytest-django's ``transactional_db`` and ``live_server`` empty every
table with one TRUNCATE after each test) sets it, transaction-local; nothing else does.
Only the test settings use this backend. The application's role could set the flag too,
but holds no TRUNCATE privilege, so it cannot truncate anything either way.
"""

from django.db.backends.postgresql import base, operations

ALLOW_TRUNCATE = "SELECT set_config('contactcenter.allow_truncate', 'on', true)"


class DatabaseOperations(operations.DatabaseOperations):
    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        statements = super().sql_flush(
            style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
        )
        return [ALLOW_TRUNCATE, *statements] if statements else statements


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
