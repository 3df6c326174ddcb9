"""Visitor check-in kiosk for Indonesian public libraries."""

__version__ = "0.1.0"
