"""Enqueueing Celery tasks so that a broker that is down never fails a request."""

import logging

from django.db import transaction

logger = logging.getLogger(__name__)


def enqueue(task, *args):
    """apply_async without publish retries; a broker that is down is logged
    and reported as False (the caller's sweep sends the work later)."""
    try:
        if task.app.conf.task_always_eager:
            # No broker (make run): in-process, without opening a producer.
            task.apply(args=args, throw=True)
        else:
            task.apply_async(args=args, retry=False)
    except Exception:  # kombu OperationalError, connection errors, eager task errors
        logger.warning("Could not enqueue %s%r; the sweep will retry", task.name, args, exc_info=True)
        return False
    return True


def enqueue_on_commit(task, *args):
    """enqueue() once the current transaction commits."""
    transaction.on_commit(lambda: enqueue(task, *args))
