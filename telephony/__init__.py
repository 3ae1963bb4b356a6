"""Telephony sources: the PBXs that feed calls in, their mappings kept as data, and what
waits for one."""
