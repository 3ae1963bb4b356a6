"""The telephony REST API: sources, their mapping tables and the parked calls."""
