"""Small helpers shared by the apps' forms and views."""

from __future__ import annotations

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS


def form_errors_text(form: forms.BaseForm) -> str:
    """Every error of a bound form in one line a person can act on: "field label: message; …". Errors that
    belong to no field (a form's `clean`) come without a label."""
    parts = []
    for name, errors in form.errors.items():
        message = " ".join(str(e) for e in errors)
        field = form.fields.get(name)
        parts.append(message if name == NON_FIELD_ERRORS or field is None else f"{field.label or name}: {message}")
    return "; ".join(parts)
