"""An email backend for celery_redis_integration.py: the file backend, held at
a step of the delivery while the file named by MAIL_HOLD says that step, so
that the test can kill the worker there. "before": before the message is
written; "between": written, before the row is marked sent; "after": marked
sent, before the connection closes."""

import os
import time
from pathlib import Path

from django.core.mail.backends import filebased


class EmailBackend(filebased.EmailBackend):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("file_path", os.environ["EMAIL_FILE_PATH"])
        super().__init__(*args, **kwargs)

    def send_messages(self, messages):
        _hold("before")
        sent = super().send_messages(messages)
        _hold("between")
        return sent

    def close(self):
        _hold("after")
        super().close()


def _hold(step):
    hold = Path(os.environ["MAIL_HOLD"])
    if hold.exists() and hold.read_text() == step:
        hold.with_suffix(".reached").write_text(step)
        while hold.exists():
            time.sleep(0.05)
