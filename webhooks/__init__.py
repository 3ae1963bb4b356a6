"""Webhooks: endpoints of clients (and of the center) that receive the product's events,
signed by the Standard Webhooks scheme and delivered with retries (docs/webhooks.md)."""
