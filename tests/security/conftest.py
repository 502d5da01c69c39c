import logging

import pytest
from django.test import Client

from tests.security.grid import SIGNED_IN, build_grid


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    """Attachments and exports go to a temporary folder, never the project's."""
    settings.MEDIA_ROOT = tmp_path / "private_media"
    return settings.MEDIA_ROOT


@pytest.fixture
def grid(world):
    return build_grid(world)


@pytest.fixture
def clients(grid):
    """One signed-in client per user of the grid (raise_request_exception is
    on: a 500 fails the test with its traceback)."""
    out = {}
    for name in SIGNED_IN:
        client = Client()
        client.force_login(grid.users[name])
        out[name] = client
    return out


@pytest.fixture(autouse=True)
def quiet_refusals():
    """Thousands of 403s and 404s on purpose: do not log (and format) each one;
    errors (500) are still logged."""
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.ERROR)
    yield
    logger.setLevel(level)
