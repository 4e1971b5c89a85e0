"""Choosing an officer or a position on a web form (issue 14): one form field, one widget, one lookup.

``OfficerField``, ``PositionField`` and ``OfficerOrPositionField`` clean to the ``Officer``/``Position`` named, through
``org.selectors.pick_resolve`` (the one lookup: no view or form finds an officer by username itself;
``core/tests/test_one_officer_lookup.py`` fails on one that does). They accept what the picker sends
("officer:12") and, typed by hand (no JavaScript, the API's habits, tests that fill the field by its label), a
username, a position code or an officer's full name; nothing or more than one match is a field error in plain words.
``scope`` narrows who may be named (``{"role__in": [...]}`` on Officer, ``{"business_area__code": "PS"}`` on Position);
whether the one named may take *this* work stays with the service and its policy.

The widget (``PickerInput``, ``org/widgets/picker.html``) is an accessible combobox (``role=combobox``,
``aria-expanded``, ``aria-controls`` a ``role=listbox``): typing 2+ characters asks ``org:pick`` (htmx) for at most
``PICK_LIMIT`` suggestions, chosen with the arrow keys and Enter or the mouse (``web/static/web/picker.js``). The
scope travels to that endpoint signed, so the suggestions are the same people the field accepts. Without JavaScript
it is the plain text field.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core import signing
from django.urls import reverse

from . import selectors

SCOPE_SALT = "casework.org.pick"
MAX_TYPED = 200


class Picked(str):
    """The posted value: the picker's choice when there is one (``"officer:12"``), else what was typed; ``text`` is
    what the text box showed, kept when the page is shown again."""

    text: str = ""

    def __new__(cls, value: str, text: str = ""):
        obj = super().__new__(cls, value)
        obj.text = text
        return obj


class PickerInput(forms.TextInput):
    template_name = "org/widgets/picker.html"
    kinds: tuple[str, ...] = selectors.PICK_KINDS
    scopes: dict | None = None

    def value_from_datadict(self, data, files, name):
        text = str(data.get(name, "") or "")
        pick = str(data.get(f"{name}__pick", "") or "")
        return Picked(pick or text, text)

    def value_omitted_from_data(self, data, files, name):
        return name not in data and f"{name}__pick" not in data

    def format_value(self, value):
        if value is None or value == "":
            return None
        if isinstance(value, Picked):
            return value.text or None
        if hasattr(value, "pk"):  # initial: an Officer or a Position
            return selectors.officer_label(value) if hasattr(value, "user_id") else selectors.position_label(value)
        return str(value)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        w = context["widget"]
        pick = str(value) if isinstance(value, Picked) and value != value.text else ""
        if hasattr(value, "pk"):
            pick = f"{'officer' if hasattr(value, 'user_id') else 'position'}:{value.pk}"
        w["pick"] = pick
        list_id = f"{w['attrs'].get('id') or name}-listbox"
        w["list_id"] = list_id
        token = signing.dumps({"k": list(self.kinds), "s": self.scopes or {}}, salt=SCOPE_SALT, compress=True)
        w["url"] = f"{reverse('org:pick')}?scope={token}&list={list_id}"
        w["attrs"].update({"role": "combobox", "aria-autocomplete": "list", "aria-expanded": "false",
                           "aria-controls": list_id, "autocomplete": "off", "spellcheck": "false",
                           "data-picker-input": "", "maxlength": str(MAX_TYPED)})
        return context


def scope_from_token(token: str) -> tuple[tuple[str, ...], dict]:
    """The kinds and scope a picker's suggestions are limited to (signed by the form that rendered it)."""
    data = signing.loads(token, salt=SCOPE_SALT)
    kinds = tuple(k for k in data.get("k", ()) if k in selectors.PICK_KINDS)
    return kinds, dict(data.get("s") or {})


class _PickField(forms.Field):
    widget = PickerInput
    kinds: tuple[str, ...] = selectors.PICK_KINDS
    noun = "officer or position"

    def __init__(self, *, scope: dict | None = None, scopes: dict | None = None, **kwargs: Any):
        kwargs.setdefault("required", False)
        kwargs.setdefault("error_messages", {}).setdefault("required", f"Choose the {self.noun}.")
        super().__init__(**kwargs)
        if scope is not None:  # one kind: its filter
            scopes = {self.kinds[0]: scope}
        self.scopes = {k: dict(v) for k, v in (scopes or {}).items() if v is not None}
        self.widget.kinds, self.widget.scopes = self.kinds, self.scopes

    def to_python(self, value):
        text = str(value or "").strip()
        if not text:
            return None
        if len(text) > MAX_TYPED:
            raise forms.ValidationError(f"Type at most {MAX_TYPED} characters.")
        try:
            return selectors.pick_resolve(text, kinds=self.kinds, scopes=self.scopes, noun=self.noun)
        except selectors.PickError as exc:
            raise forms.ValidationError(str(exc), code="pick") from exc

    def has_changed(self, initial, data) -> bool:
        return str(data or "") != str(getattr(initial, "pk", initial) or "")


class OfficerField(_PickField):
    kinds = ("officer",)
    noun = "officer"


class PositionField(_PickField):
    kinds = ("position",)
    noun = "position"


class OfficerOrPositionField(_PickField):
    kinds = ("officer", "position")
    noun = "officer or position"
