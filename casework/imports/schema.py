"""The row format of the import from the agency's assessment and payments system (documented in docs/import.md).

Pure: no database. A row is a flat mapping (one JSON object per line, or one CSV row under a header that is the union
of the columns used); ``record`` names its type, ``source_key`` is the source system's key for it, and references to
other records use *their* source keys. Empty values are absent values.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

CUSTOMER_OPTIONAL = (
    "date_of_death", "email", "phone_mobile", "phone_home", "postal_address", "country", "preferred_contact_times",
    "contact_preference", "special_contact_arrangements",
)


@dataclass(frozen=True)
class RecordType:
    name: str
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    # field -> record type it references by source key
    references: tuple[tuple[str, str], ...] = ()

    @property
    def fields(self) -> frozenset[str]:
        return frozenset(("record", "source_key", *self.required, *self.optional))


RECORD_TYPES: dict[str, RecordType] = {
    t.name: t
    for t in (
        RecordType("customer", ("csid", "given_names", "family_name", "date_of_birth", "residence"), CUSTOMER_OPTIONAL),
        RecordType(
            "case", ("payer", "payee"),
            ("case_number", "registration_status", "collection_type", "annual_liability", "children",
             "role_history_from"),
            (("payer", "customer"), ("payee", "customer")),
        ),
        RecordType("income", ("customer", "amount", "source", "tax_year", "effective_from"), (),
                   (("customer", "customer"),)),
        RecordType("care", ("case", "child", "carer", "care_percentage", "effective_from"), (),
                   (("case", "case"), ("child", "child"), ("carer", "customer"))),
        RecordType("debt", ("case", "debtor", "kind", "amount", "as_at"), (),
                   (("case", "case"), ("debtor", "customer"))),
        RecordType("arrangement", ("debt", "instalment", "frequency", "start_date"), ("status",),
                   (("debt", "debt"),)),
        RecordType("payment", ("case", "payer", "amount", "received_on"), ("debt", "method"),
                   (("case", "case"), ("payer", "customer"), ("debt", "debt"))),
        RecordType("role_reversal", ("case", "effective_from"), ("reason",), (("case", "case"),)),
    )
}
# Other names an operator may reach for, and the record that carries them.
ALIASES = {"arrears": "a debt record of kind child_support_debt (arrears owed to the payee)"}
CHILD_FIELDS = frozenset(("source_key", "given_names", "family_name", "date_of_birth"))


class RowError(ValueError):
    """The row cannot be imported; ``reason`` says why in words an operator can act on."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def normalise(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Strip strings, drop empty values, parse ``children`` (a JSON list in CSV). Raises RowError when the row is not
    a known record type with its required fields and only its own fields."""
    if "_error" in raw:
        raise RowError(str(raw["_error"]))
    row: dict[str, Any] = {}
    for key, value in raw.items():
        if key is None:
            raise RowError("The row has more values than the header has columns.")
        key = str(key).strip()
        if isinstance(value, str):
            value = value.strip()
        if value in (None, "", []):
            continue
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        row[key] = value
    kind = row.get("record", "")
    if kind not in RECORD_TYPES:
        alias = f" (use {ALIASES[kind]})" if kind in ALIASES else ""
        raise RowError(f"Unknown record type '{kind}'{alias}; expected one of: {', '.join(RECORD_TYPES)}.")
    spec = RECORD_TYPES[kind]
    missing = [f for f in ("source_key", *spec.required) if f not in row]
    if missing:
        raise RowError(f"Missing {', '.join(missing)} for a {kind} record.")
    unknown = sorted(set(row) - spec.fields)
    if unknown:
        raise RowError(f"Fields not part of a {kind} record: {', '.join(unknown)}.")
    if "children" in row:
        children = row["children"]
        if isinstance(children, str):
            try:
                children = json.loads(children)
            except ValueError:
                raise RowError("children must be a JSON list of {source_key, given_names, family_name, "
                               "date_of_birth}.") from None
        if not isinstance(children, list) or not all(isinstance(c, dict) for c in children):
            raise RowError("children must be a JSON list of objects.")
        for index, child in enumerate(children, start=1):
            if set(child) != CHILD_FIELDS:
                raise RowError(f"Child {index} needs exactly: {', '.join(sorted(CHILD_FIELDS))}.")
        row["children"] = [{k: str(v).strip() for k, v in c.items()} for c in children]
    return row


def fingerprint(row: Mapping[str, Any]) -> str:
    return hashlib.sha256(json.dumps(row, sort_keys=True, separators=(",", ":")).encode()).hexdigest()
