"""Errors a user can act on. The CLI prints them as one line and exits 1."""

from __future__ import annotations


class UserError(Exception):
    """An error caused by the user's input (a file, a flag, a value), never by a bug."""


class ValidationError(UserError):
    """Input that does not satisfy the data invariants; names the file, line and field."""

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None,
                 field: str | None = None) -> None:
        self.path = path
        self.line = line
        self.field = field
        self.detail = message
        where = ""
        if path is not None:
            where = str(path)
            if line is not None:
                where += f":{line}"
            where += ": "
        if field is not None:
            where += f"{field}: "
        super().__init__(where + message)


class ConflictError(UserError):
    """Someone else changed or removed what this action was about since it was read: nothing was
    changed, and the caller should read the document again instead of overwriting."""
