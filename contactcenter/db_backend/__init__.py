"""PostgreSQL for the test run: Django's flush may truncate the guarded invoice tables."""
