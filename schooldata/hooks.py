"""What happens after an import, filled in by the apps above schooldata in
their AppConfig.ready(): casework writes the new values into the evaluation
log of goals measured from the school's records."""

_after_import = []


def register_after_import(callback):
    """``callback(student_ids=...)`` runs inside the import's transaction."""
    _after_import.append(callback)


def after_import(*, student_ids):
    if not student_ids:
        return
    for callback in _after_import:
        callback(student_ids=sorted(student_ids))
