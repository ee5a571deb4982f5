"""Errors a user can fix. The CLI prints them as one line and exits with `exit_code`."""


class UserError(Exception):
    """Bad input, bad credentials or a bad option: say what is wrong and how to fix it."""

    exit_code = 2

    def __init__(self, message: str, hint: str = ""):
        super().__init__(message)
        self.message = message
        self.hint = hint

    def line(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message
