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

from .api import VERSION_MAX
from .errors import DomainError, InvalidInput

#: What a date input accepts: the date picker's value (ISO) and a date typed the Australian way (issue 14).
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d %B %Y", "%d %b %Y"]
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M", "%d/%m/%Y, %H:%M"]
DATETIME_LOCAL = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE_EXAMPLE = "30/11/2026"
DATE_INVALID = f"Enter a real date as dd/mm/yyyy, for example {DATE_EXAMPLE}."


class DateField(forms.DateField):
    """The one date field of every officer form (issue 14): a date picker whose value is kept after an error, a date
    typed as dd/mm/yyyy accepted too, and error messages with an en-AU example. ``test_date_fields`` fails on a web
    form that uses Django's own ``forms.DateField``."""

    widget = DATE
    input_formats = DATE_FORMATS
    default_error_messages = {"invalid": DATE_INVALID, "required": f"Enter a date, for example {DATE_EXAMPLE}."}


class DateTimeField(forms.DateTimeField):
    """A date and time (``datetime-local``), read in the officer's office zone; dd/mm/yyyy hh:mm accepted too."""

    widget = DATETIME_LOCAL
    input_formats = DATETIME_FORMATS
    default_error_messages = {"invalid": f"Enter a real date and time, for example {DATE_EXAMPLE} 14:30.",
                              "required": f"Enter a date and time, for example {DATE_EXAMPLE} 14:30."}


def text(label: str, *, max_length: int = 2000, required: bool = True, textarea: bool = False, **kwargs):
    """A bounded text field; a textarea when the answer may be long."""
    widget = forms.Textarea(attrs={"rows": 3}) if textarea else None
    return forms.CharField(label=label, max_length=max_length, required=required, widget=widget, **kwargs)


def date(label: str, *, required: bool = True, **kwargs) -> forms.DateField:
    return DateField(label=label, required=required, **kwargs)


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


RELOAD = "Reload the page: the form lost the version it was read at."


def version_field() -> forms.IntegerField:
    """The hidden version of the record the page showed (issue 13): a stale page's change is refused with 409 saying
    what changed; a missing or malformed one is a 400 asking to reload, never a server error."""
    return forms.IntegerField(min_value=1, max_value=VERSION_MAX, widget=forms.HiddenInput, error_messages={
        "required": RELOAD, "invalid": RELOAD, "min_value": RELOAD, "max_value": RELOAD})


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


# --- Refilling a hand-laid-out form ---------------------------------------------------------------------------------
# Most forms render their fields with ``web/_field.html``. A page whose forms are laid out by hand in the template
# (the PS record page: two dozen small inline forms, several per row) wraps its content in ``{% refill form url %}``:
# after a refusal, the one ``<form>`` that was posted (same action URL and the same hidden row ids) gets back what was
# typed (text, text areas, selects, check boxes, radios), and each field with an error gets the same inline message,
# ``aria-invalid`` and ``aria-describedby`` as ``web/_field.html``, and the id the error summary links to.

_NOT_ROW_IDS = {"csrfmiddlewaretoken", "anchor", "version"}
_VOID = {"input", "br", "img", "hr", "meta", "link"}


def _tag(tag: str, attrs: list[tuple[str, str | None]]) -> str:
    from django.utils.html import escape

    parts = [tag] + [k if v is None else f'{k}="{escape(v)}"' for k, v in attrs]
    return "<" + " ".join(parts) + ">"


def _set(attrs: list, key: str, value: str | None) -> list:
    rest = [(k, v) for k, v in attrs if k != key]
    return rest if value is False else [*rest, (key, value)]


class _Refill:
    def __init__(self, form: forms.Form, action_url: str):
        self.form, self.action_url = form, action_url
        self.data = form.data

    def _values(self, name: str) -> list[str]:
        return self.data.getlist(name) if hasattr(self.data, "getlist") else [self.data.get(name, "")]

    def is_posted(self, tokens: list) -> bool:
        kind, tag, attrs = tokens[0]
        if dict(attrs).get("action") != self.action_url:
            return False
        for kind, tag, attrs in tokens:
            if kind != "start":
                continue
            a = dict(attrs)
            if tag == "input" and a.get("type") == "hidden" and a.get("name") not in _NOT_ROW_IDS:
                if a.get("name") and str(self.data.get(a["name"], "")) != (a.get("value") or ""):
                    return False
        return True

    def rewrite(self, tokens: list) -> str:
        from django.utils.html import escape

        errors = self.form.errors
        renames: dict[str, str] = {}
        for kind, tag, attrs in tokens:  # first pass: the ids the summary links to
            if kind != "start":
                continue
            a = dict(attrs)
            if tag in ("input", "select", "textarea") and a.get("name") in errors \
                    and a.get("type") not in ("hidden", "submit", "button"):
                target = self.form[a["name"]].auto_id if a["name"] in self.form.fields else ""
                if target and a.get("id") and a["id"] != target:
                    renames[a["id"]] = target
        out: list[str] = []
        select_name = textarea_name = None
        for kind, tag, attrs in tokens:
            if kind != "start":
                if kind in ("data", "raw") and textarea_name is not None:
                    continue  # the typed text replaces what the template had
                if kind == "end" and tag == "textarea" and textarea_name is not None:
                    out.append(escape(self._values(textarea_name)[0] if self._values(textarea_name) else ""))
                    textarea_name = None
                if kind == "end" and tag == "select":
                    select_name = None
                out.append(attrs if kind != "end" else f"</{tag}>")
                continue
            a = dict(attrs)
            if tag == "label" and a.get("for") in renames:
                attrs = _set(attrs, "for", renames[a["for"]])
            name = a.get("name")
            if tag == "option" and select_name is not None:
                attrs = _set(attrs, "selected", None if (a.get("value") or "") in self._values(select_name) else False)
            elif tag in ("input", "select", "textarea") and name and a.get("type") not in (
                    "hidden", "submit", "button", "file"):
                kind_ = a.get("type", "text")
                if tag == "input" and kind_ in ("checkbox", "radio"):
                    attrs = _set(attrs, "checked", None if (a.get("value") or "on") in self._values(name) else False)
                elif tag == "input":
                    values = self._values(name)
                    attrs = _set(attrs, "value", values[0] if values else "")
                elif tag == "select":
                    select_name = name
                else:
                    textarea_name = name
                if name in errors and name in self.form.fields:
                    target = self.form[name].auto_id
                    attrs = _set(_set(_set(attrs, "id", target), "aria-invalid", "true"),
                                 "aria-describedby", f"{target}-error")
                    message = " ".join(str(m) for m in errors[name])
                    out.append(f'<span class="field-error" id="{target}-error"><span class="visually-hidden">Error: '
                               f'</span>{escape(message)}</span> ')
            out.append(_tag(tag, attrs))
        return "".join(out)


def refill_html(html: str, form: forms.Form | None, action_url: str) -> str:
    """``html`` with the posted form (``action_url``) holding what was typed and showing its errors (see above)."""
    from html.parser import HTMLParser

    if form is None or not form.is_bound:
        return html
    refill = _Refill(form, action_url)
    out: list[str] = []
    buffer: list | None = None

    def emit(kind, tag, value):
        nonlocal buffer
        if buffer is not None:
            buffer.append((kind, tag, value))
        else:
            out.append(value)

    class Parser(HTMLParser):
        def handle_starttag(self, tag, attrs):
            nonlocal buffer
            raw = self.get_starttag_text()
            if tag == "form":
                buffer = [("start", tag, attrs)]
                buffer_raw.append(raw)
                return
            if buffer is not None:
                buffer.append(("start", tag, attrs))
                buffer_raw.append(raw)
            else:
                out.append(raw)

        def handle_startendtag(self, tag, attrs):
            self.handle_starttag(tag, attrs)

        def handle_endtag(self, tag):
            nonlocal buffer
            if buffer is not None and tag == "form":
                buffer.append(("end", tag, ""))
                if refill.is_posted(buffer):
                    out.append(refill.rewrite(buffer))
                else:
                    out.append(_raw(buffer, buffer_raw))
                buffer = None
                buffer_raw.clear()
                return
            emit("end", tag, f"</{tag}>")

        def handle_data(self, data):
            emit("data", None, data)

        def handle_entityref(self, name):
            emit("raw", None, f"&{name};")

        def handle_charref(self, name):
            emit("raw", None, f"&#{name};")

        def handle_comment(self, data):
            emit("raw", None, f"<!--{data}-->")

        def handle_decl(self, decl):
            emit("raw", None, f"<!{decl}>")

    buffer_raw: list[str] = []
    parser = Parser(convert_charrefs=False)
    parser.feed(html)
    parser.close()
    return "".join(out)


def _raw(tokens: list, raws: list[str]) -> str:
    """A form that was not the one posted, exactly as the template wrote it."""
    out, starts = [], iter(raws)
    for kind, tag, value in tokens:
        out.append(next(starts) if kind == "start" else (f"</{tag}>" if kind == "end" else value))
    return "".join(out)


def row_forms(rows, *, attr: str, form_class, id_field: str, prefix: str, posted=None) -> None:
    """A form per row of a table (close this issue, address this matter): ``row.<attr>``, empty with the row's id,
    ids ``id_<prefix><pk>_<field>``; the row whose id was posted gets ``posted`` (bound, as typed) instead."""
    for row in rows:
        setattr(row, attr, form_class(auto_id=f"id_{prefix}{row.pk}_%s", initial={id_field: row.pk}))
        if posted is not None and str(row.pk) == str(posted.data.get(id_field)):
            posted.auto_id = f"id_{prefix}{row.pk}_%s"
            setattr(row, attr, posted)
