"""Web input (issue 14): every officer page parses its POST with a django ``Form``; the view calls the same service as
the API, and on a refusal re-renders the same page with the form still bound (what was typed stays), an error
summary at the top (``web/_form_errors.html``) and each message on its field (``web/_field.html``).

``refuse(form, exc)`` puts a service's ``DomainError`` on the form: each of ``exc.fields`` on the form field of that
name (or on the form when the form has no such field), and the refusal's message with its step IDs as the form's own
error. ``status_of(form, exc)`` is the HTTP status of the re-rendered page: the refusal's (400 bad input, 409 a
refused transition or a stale edit, 403/404), 400 for a form that did not validate.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django import forms

from .errors import DomainError, InvalidInput

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME_LOCAL = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def text(label: str, *, max_length: int = 2000, required: bool = True, textarea: bool = False, **kwargs):
    """A bounded text field; a textarea when the answer may be long."""
    widget = forms.Textarea(attrs={"rows": 3}) if textarea else None
    return forms.CharField(label=label, max_length=max_length, required=required, widget=widget, **kwargs)


def date(label: str, *, required: bool = True, **kwargs) -> forms.DateField:
    return forms.DateField(label=label, required=required, input_formats=DATE_FORMATS, widget=DATE,
                           error_messages={"invalid": "Enter a date as DD/MM/YYYY.",
                                           "required": "Enter a date."}, **kwargs)


def yes_no(label: str, **kwargs) -> forms.BooleanField:
    return forms.BooleanField(label=label, required=False, **kwargs)


class CodeListField(forms.MultipleChoiceField):
    """A list of short codes whose allowed values only the service knows (it refuses one that does not apply, with
    its step IDs): bounded here (count and length), checked there. Every code posted is kept when re-rendered."""

    def __init__(self, *, max_items: int = 50, max_length: int = 64, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.max_items, self.max_length = max_items, max_length

    def valid_value(self, value) -> bool:
        return isinstance(value, str) and 0 < len(value) <= self.max_length

    def validate(self, value) -> None:
        super().validate(value)
        if len(value) > self.max_items:
            raise forms.ValidationError(f"Choose at most {self.max_items}.")


def refuse(form: forms.Form, exc: DomainError) -> None:
    """Show a service's refusal on the form (never loses what was typed: the form stays bound)."""
    steps = f" ({', '.join(exc.step_ids)})" if exc.step_ids else ""
    for name, problems in exc.fields.items():
        for problem in problems:
            if name in form.fields:
                form.add_error(name, str(problem))
            else:
                form.add_error(None, f"{name.replace('_', ' ').capitalize()}: {problem}")
    form.add_error(None, f"{exc.message}{steps}")
    for item in exc.extra.get("missing", ()) or ():
        form.add_error(None, f"Missing: {item}")
    form.refusal_status = exc.http_status


def invalid(form: forms.Form, message: str = "Check the highlighted fields.") -> InvalidInput:
    """The form's own errors as the ``InvalidInput`` a service would raise (for views that report by message)."""
    return InvalidInput(message, fields={k: [str(m) for m in v] for k, v in form.errors.items()})


def status_of(form: forms.Form | None) -> int:
    """HTTP status of a page re-rendered with this form: the refusal's, else 400 when it has errors, else 200."""
    if form is None or not form.is_bound or not form.errors:
        return 200
    return getattr(form, "refusal_status", 400)


@dataclass(frozen=True)
class ErrorItem:
    message: str
    href: str = ""


def error_items(form: forms.Form) -> list[ErrorItem]:
    """The error summary's lines: each field error as "<label>: <message>" linking to its input, then the form's own
    errors (the refusal and its step IDs) without a link."""
    items: list[ErrorItem] = []
    for name, errors in form.errors.items():
        if name == forms.forms.NON_FIELD_ERRORS or name not in form.fields:
            continue
        bound = form[name]
        target = bound.id_for_label or bound.auto_id
        label = str(bound.label or name.replace("_", " ").capitalize()).rstrip(":?")
        for message in errors:
            items.append(ErrorItem(message=f"{label}: {message}", href=f"#{target}" if target else ""))
    items.extend(ErrorItem(message=str(m)) for m in form.non_field_errors())
    return items


def iso(value) -> str:
    """A date for an ``<input type=date>`` value."""
    return value.isoformat() if isinstance(value, dt.date) else (value or "")
