"""Fixtures shared by the calls tests: the catalogue a CDR import refers to."""

import pytest

from tests.factories import OperatorFactory, ProjectFactory


@pytest.fixture
def catalogue(db):
    """Operators ``ivan`` and ``olga`` and the project ``hotline``, which it returns; a
    module applies it to each of its tests with ``pytest.mark.usefixtures("catalogue")``."""
    OperatorFactory(code="ivan")
    OperatorFactory(code="olga")
    return ProjectFactory(code="hotline")
