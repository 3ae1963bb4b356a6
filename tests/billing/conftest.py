"""Fixtures shared by the billing tests: a throwaway media root for stored documents."""

import pytest


@pytest.fixture
def media(settings, tmp_path):
    """MEDIA_ROOT is this test's own empty directory, which the fixture returns; a module
    applies it to each of its tests with ``pytest.mark.usefixtures("media")``."""
    settings.MEDIA_ROOT = tmp_path
    return tmp_path
