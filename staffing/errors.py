"""The error staffing's services raise on bad input, shared by its features."""

from __future__ import annotations


class StaffingInputError(ValueError):
    """Bad input for a staffing write; the message names what and where."""
