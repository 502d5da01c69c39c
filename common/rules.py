"""The one error a write service raises when a user breaks a rule."""


class RuleError(Exception):
    """A rule was broken; the message is for the user. ``field`` names the form
    field the error belongs to, or None for the top of the form."""

    def __init__(self, message, *, field=None):
        super().__init__(message)
        self.field = field
