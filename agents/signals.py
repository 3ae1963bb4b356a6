"""Signals of the operator pool: what upper layers (the live state) listen to."""

from django.dispatch import Signal

# Sent inside the storing transaction with ``events``: the newly stored rows, a list of
# ``(operator_id, at, state, reason)``; a duplicate is not sent again.
agent_events_stored = Signal()
