"""The live state's listeners on the lower apps' signals (connected in ``LiveConfig.ready``)."""

from django.dispatch import receiver

from agents.signals import agent_events_stored
from live import push


@receiver(agent_events_stored, dispatch_uid="live.agent_events_stored")
def on_agent_events(sender, events, **kwargs) -> None:
    push.agent_events_stored(events)
