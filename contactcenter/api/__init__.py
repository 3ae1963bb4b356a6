"""Shared API plumbing: the exception handler, pagination and field types every app's API uses."""
