"""The telephony REST API: sources, their mapping tables, the parked calls, and CDR files
posted to ``calls/import/?format=...``."""
