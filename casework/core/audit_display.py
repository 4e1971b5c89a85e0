"""Human labels for the audit trail (issue 14, "Readable everywhere"): what the audit page and its CSV export show.

An event is stored as recorded (codes, ids, plain JSON: the hash chain covers it); only its *display* is translated:

- the action ``letter.issue`` reads "Letter issued", ``contact.poi_confirm`` "Contact: POI confirmed";
- the target ``finalisationrequest`` 2 reads "Finalisation request 2" (the model's verbose name), with the record's own
  description when it is one a person wrote ("Jane Citizen (1234567890)"), never "FinalisationRequest object (2)";
- before/after values read as "Field label: value" lines: the label is the target model's field ``verbose_name`` (or
  the key in words), a value with choices its display label, dates dd/mm/yyyy, Yes/No, lists and nested values
  spelled out; never a Python dict or ``None``.

Apps may register a label for the values of one key (``register_value_label``), e.g. letters names its templates.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.apps import apps

# Abbreviations kept in capitals (and a few words spelled out) when a code is put into words.
WORDS = {
    "ps": "PS", "poi": "POI", "mca": "MCA", "dpo": "DPO", "sla": "SLA", "csid": "CSID", "id": "ID", "ids": "IDs",
    "api": "API", "f2f": "face-to-face", "tl": "Team Leader", "cm": "Case Manager", "uq140": "UQ140", "sha256": "SHA-256",
    "url": "URL", "pdf": "PDF", "crg": "CRG", "ics": "ICS", "coa": "change of assessment", "businessarea": "business area",
    "issuetype": "issue type", "officeclosure": "office closure", "auth": "sign-in",
}
# The verb of an action, in the past tense.
PAST = {
    "issue": "issued", "send": "sent", "create": "created", "update": "updated", "add": "added", "close": "closed",
    "view": "viewed", "read": "read", "search": "searched", "lock": "locked", "unlock": "unlocked",
    "approve": "approved", "reject": "rejected", "withdraw": "withdrawn", "submit": "submitted", "decline": "declined",
    "accept": "accepted", "start": "started", "finalise": "finalised", "record": "recorded", "confirm": "confirmed",
    "correct": "corrected", "end": "ended", "amend": "amended", "default": "defaulted", "deactivate": "deactivated",
    "reassign": "reassigned", "resolve": "resolved", "complete": "completed", "delete": "deleted", "transfer": "transferred",
    "request": "requested", "raise": "raised", "decide": "decided", "schedule": "scheduled", "cancel": "cancelled",
    "refer": "referred", "forward": "forwarded", "assign": "assigned", "book": "booked", "tick": "ticked",
    "receive": "received", "link": "linked", "recategorise": "recategorised", "propose": "proposed", "export": "exported",
    "run": "run", "seed": "seeded", "revoke": "revoked", "set": "set", "reverse": "reversed", "give": "given",
    "transition": "moved on", "skip": "not sent", "address": "addressed", "notify": "notified", "take": "taken",
}
ACTIONS = {
    "auth.sign_in": "Signed in",
    "auth.sign_in_failed": "Sign-in failed",
    "auth.sign_in_locked_out": "Sign-in locked out",
    "auth.token_issue": "API token issued",
    "auth.token_revoke": "API token revoked",
    "ps_plan.uq140_01_skip": "PS plan: first-call letter (UQ140.01) not sent",
    "letter.disclosure_refused": "Letter refused: it would disclose protected information",
    "customer.read": "Customer data read",
    "customer.view": "Customer record viewed",
    "notification.read_all": "All notifications read",
    "ownership.take_over": "Ownership taken over",
}
REPR_RE = re.compile(r"object \(|\{'|\['|^None$|^True$|^False$")
SLUG_RE = re.compile(r"^[a-z0-9]+(?:_[a-z0-9]+)+$")
ISO_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ISO_MOMENT_RE = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")

_VALUE_LABELS: dict[str, Callable[[str], str | None]] = {}


def register_value_label(key: str, label: Callable[[str], str | None]) -> None:
    """``label(value)`` names a value of ``key`` for people (None: not one it knows)."""
    _VALUE_LABELS[key] = label


def words(code: str) -> str:
    """A code in words: ``ps_plan_issue`` -> "PS plan issue"."""
    parts = [WORDS.get(p, p) for p in re.split(r"[_.\s]+", str(code)) if p]
    text = " ".join(parts)
    return text[:1].upper() + text[1:] if text else ""


def action_label(action: str) -> str:
    if action in ACTIONS:
        return ACTIONS[action]
    entity, _, verb = action.partition(".")
    if not verb:
        return words(entity)
    verb_words = verb.split("_")
    if verb_words[-1] in PAST:
        verb_words[-1] = PAST[verb_words[-1]]
    if len(verb_words) == 1:
        return f"{words(entity)} {verb_words[0]}"
    return f"{words(entity)}: {' '.join(WORDS.get(w, w) for w in verb_words)}"


@lru_cache(maxsize=None)
def _models_by_name() -> dict[str, Any]:
    found: dict[str, Any] = {}
    for model in apps.get_models():
        found.setdefault(model._meta.model_name, model)
    return found


def _model(target_type: str):
    return _models_by_name().get(str(target_type).replace("_", "").lower())


def target_label(target_type: str, target_id: str, target_repr: str = "") -> str:
    """"Finalisation request 2", or "Customer 7: Jane Citizen (1234567890)" when the record describes itself."""
    model = _model(target_type)
    name = str(model._meta.verbose_name) if model is not None else words(target_type).lower()
    name = name[:1].upper() + name[1:]
    label = f"{name} {target_id}".strip()
    if target_repr and not REPR_RE.search(target_repr) and target_repr != str(target_id):
        label += f": {target_repr}"
    return label


def value_text(value: Any, *, key: str = "", choices: dict | None = None) -> str:
    """A recorded value in words: never a Python repr."""
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, dict):
        return "; ".join(f"{field_label(k)}: {value_text(v, key=k)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return ", ".join(value_text(v, key=key, choices=choices) for v in value)
    text = str(value)
    if key in _VALUE_LABELS:
        named = _VALUE_LABELS[key](text)
        if named:
            return named
    if choices and text in choices:
        return str(choices[text])
    if ISO_DATE_RE.match(text):
        try:
            return dt.date.fromisoformat(text).strftime("%d/%m/%Y")
        except ValueError:
            return text
    if ISO_MOMENT_RE.match(text):
        try:
            return dt.datetime.fromisoformat(text).strftime("%d/%m/%Y %H:%M")
        except ValueError:
            return text
    if SLUG_RE.match(text):
        return words(text)
    return text


def field_label(key: str, model=None) -> str:
    if model is not None:
        try:
            field = model._meta.get_field(key)
        except Exception:  # noqa: BLE001 - not a field of the model: put the key in words
            field = None
        if field is not None and getattr(field, "verbose_name", None) and \
                str(field.verbose_name).lower() != key.replace("_", " ").lower():
            label = str(field.verbose_name)
            return label[:1].upper() + label[1:]
    return words(key)


@dataclass(frozen=True)
class Change:
    label: str
    before: str
    after: str

    def line(self) -> str:
        if self.before:
            return f"{self.label}: {self.before} → {self.after}" if self.label else f"{self.before} → {self.after}"
        return f"{self.label}: {self.after}" if self.label else self.after


def change_rows(event) -> list[Change]:
    """The event's before/after as "Field label: value" rows (a key in only one of them shows only that side)."""
    model = _model(event.target_type)
    before = event.before if isinstance(event.before, dict) else ({} if event.before is None else {"": event.before})
    after = event.after if isinstance(event.after, dict) else ({} if event.after is None else {"": event.after})
    rows = []
    for key in dict.fromkeys([*before.keys(), *after.keys()]):
        choices = None
        if model is not None and key:
            try:
                field = model._meta.get_field(key)
                choices = dict(field.flatchoices) if getattr(field, "choices", None) else None
            except Exception:  # noqa: BLE001 - not a field of the model
                choices = None
        label = field_label(key, model) if key else ""
        old = value_text(before[key], key=key, choices=choices) if key in before else ""
        new = value_text(after[key], key=key, choices=choices) if key in after else ("—" if key in before else "")
        rows.append(Change(label, old, new))
    return rows
