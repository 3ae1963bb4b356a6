"""Alerts people see: conditions judged every few minutes, one open alert per project and
condition until it clears, delivered by e-mail and signed webhooks (docs/alerts.md)."""
