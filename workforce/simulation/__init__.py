"""A discrete-event simulation of one pool of operators serving several projects.

``scenario`` reads and checks the JSON format (docs/simulation.md), ``engine`` runs it
(a heap-based event loop, deterministic for a seed) and summarises the result, ``load``
creates the entities a scenario names and stores its calls and agent state events through
the same ingestion services as the API.
"""
