import pytest


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    """Attachments go to a temporary folder, never the project's."""
    settings.MEDIA_ROOT = tmp_path / "private_media"
    return settings.MEDIA_ROOT
