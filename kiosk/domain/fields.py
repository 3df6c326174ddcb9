"""A refusal that names the field staff must correct (a command's option, a form's box)."""

from __future__ import annotations


class FieldError(ValueError):
    """ValueError in staff words, with the field it is about ("" when it is about no field)."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field
