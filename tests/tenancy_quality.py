"""Tenancy matrix entries for the QA scorecards, evaluations, disputes and QA scores (calls) routes.

``entries()`` is called by ``tests/test_tenancy_matrix.py`` once its route kinds exist
(``ListRoute``, ``DetailRoute``, ``CreateRoute``...), so it imports them lazily.
"""


def entries():
    return {}
