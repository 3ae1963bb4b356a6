"""Tenancy matrix entries for the training programs, enrolments, operator lifecycle and turnover (agents) routes.

``entries()`` is called by ``tests/test_tenancy_matrix.py`` once its route kinds exist
(``ListRoute``, ``DetailRoute``, ``CreateRoute``...), so it imports them lazily.
"""


def entries():
    return {}
