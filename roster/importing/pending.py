"""An upload waiting for the admin to confirm it, kept on the server between
the preview and the import: a private JSON file under MEDIA_ROOT/imports/
named by a random token that only the admin's session knows. It holds only
the columns the import uses (Dapodik's export also has NIK, addresses and bank
accounts, which are never stored) and is deleted on import, on cancel, and
after a day."""

import json
import os
import re
import secrets
import time
from pathlib import Path

from django.conf import settings

from roster.importing.reading import Table

MAX_AGE = 24 * 60 * 60
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32}$")


def _folder() -> Path:
    return Path(settings.MEDIA_ROOT) / "imports"


def _path(token) -> Path | None:
    if not isinstance(token, str) or not _TOKEN.match(token):
        return None
    return _folder() / f"{token}.json"


def save_pending(*, table: Table, school, user) -> str:
    return save_pending_data(data=table.to_dict(), school=school, user=user)


def load_pending(token, *, school, user) -> Table | None:
    """The table saved under the token by this user for this school, or None."""
    data = load_pending_data(token, school=school, user=user)
    if data is None:
        return None
    try:
        return Table.from_dict(data)
    except (ValueError, KeyError, TypeError):
        return None


def save_pending_data(*, data, school, user) -> str:
    """Keep any JSON-able upload (other importers, e.g. schooldata's ledger) the same way."""
    folder = _folder()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    purge_stale()
    token = secrets.token_urlsafe(24)
    payload = {"school": school.pk, "user": user.pk, "created": time.time(), "table": data}
    descriptor = os.open(_path(token), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        json.dump(payload, handle, ensure_ascii=False)
    return token


def load_pending_data(token, *, school, user):
    """The data saved under the token by this user for this school, or None."""
    path = _path(token)
    if path is None:
        return None
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
        if payload["school"] != school.pk or payload["user"] != user.pk:
            return None
        if time.time() - payload["created"] > MAX_AGE:
            return None
        return payload["table"]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def discard_pending(token) -> None:
    path = _path(token)
    if path is not None:
        path.unlink(missing_ok=True)


def purge_stale() -> None:
    cutoff = time.time() - MAX_AGE
    for path in _folder().glob("*.json"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink(missing_ok=True)
        except OSError:
            continue
