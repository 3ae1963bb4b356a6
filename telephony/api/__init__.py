"""The telephony app's API: CDR files posted to ``calls/import/?format=...``."""
