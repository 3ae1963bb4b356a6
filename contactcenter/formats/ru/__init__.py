"""Russian formats: see formats.py."""
