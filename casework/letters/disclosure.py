"""Disclosure control: the one check every customer-facing output calls before anything reaches a customer.

Letters are composed from allow-listed structured fields (``policy.filter_context``); this module checks the free
text an officer wrote in those fields against the internal-only data of EVERY customer on EVERY case the recipient
shares (PS-CON-4, CMA-1.6):

* sensitive issue indicators (incl. PS ones) and their conditions, internal notes (and PS stacking notes),
  ownership discussions, disputes and transfers (their reasons), other ``INTERNAL_ONLY`` records, PS referral reasons;
* every other customer's postal address (silent or not), phone numbers, e-mail, special contact arrangements and name;
* the recipient's own silent address is theirs: it may be printed to them, to nobody else.

Matching survives rewording: texts become normalised tokens (case-folded, accents and punctuation removed, street
types and common abbreviations expanded: Cr/Cres -> crescent, St -> street, Rd -> road, ...). It finds streets,
suburbs and postcodes (also inside free-text indicator conditions), people's names (full, "J Smith", "Ms Smith"),
named organisations from internal texts (an employer), internal-only vocabulary that an internal text uses
("garnishee", "family violence", ...), shared runs of content words, and whole internal clauses. The letter's fields
are joined into one token stream, so splitting a secret across paragraphs does not hide it.

The refusal says WHAT KIND of information matched ("a protected address of another customer", "an internal note"),
never the matched text. ``check_texts`` is pure (no database); ``protected_for`` reads what must be protected.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from casework.core.policy import Decision

# --- kinds of protected information, in the officer's words --------------------------------------------------------

INDICATOR = "indicator"
INTERNAL_NOTE = "internal_note"
OWNERSHIP = "ownership"
INTERNAL_RECORD = "internal_record"
SILENT_ADDRESS = "silent_address"
ADDRESS = "address"
CONTACT = "contact"
NAME = "name"

KIND_LABELS: dict[str, str] = {
    INDICATOR: "a sensitive issue indicator",
    INTERNAL_NOTE: "an internal note",
    OWNERSHIP: "an ownership discussion, dispute or transfer",
    INTERNAL_RECORD: "an internal-only record",
    SILENT_ADDRESS: "a protected (silent) address of another customer",
    ADDRESS: "a protected address of another customer",
    CONTACT: "protected contact details of another customer",
    NAME: "the name of another customer",
}
KIND_STEPS: dict[str, tuple[str, ...]] = {
    INDICATOR: ("PS-CON-4",),
    INTERNAL_NOTE: ("PS-CON-4",),
    OWNERSHIP: ("CMA-1.6",),
    INTERNAL_RECORD: ("PS-CON-4", "CMA-1.6"),
    SILENT_ADDRESS: ("PS-CON-4",),
    ADDRESS: ("PS-CON-4",),
    CONTACT: ("PS-CON-4",),
    NAME: ("PS-CON-4",),
}
# Internal texts may contain addresses and names too; those kinds are reported as the source they came from.
TEXT_KINDS = frozenset({INDICATOR, INTERNAL_NOTE, OWNERSHIP, INTERNAL_RECORD})


@dataclass(frozen=True)
class Protected:
    """One piece of information that must not reach this recipient."""

    kind: str
    text: str
    # For names: the person's given names and family name (matched as a name, not as text).
    given: str = ""
    family: str = ""


@dataclass(frozen=True)
class Match:
    kind: str
    how: str  # which matcher found it (for tests and the audit; never the matched text)


@dataclass(frozen=True)
class DisclosureResult:
    decision: Decision
    matches: tuple[Match, ...] = field(default_factory=tuple)

    @property
    def allowed(self) -> bool:
        return self.decision.allowed

    def kinds(self) -> list[str]:
        return list(dict.fromkeys(m.kind for m in self.matches))


# --- normalisation ----------------------------------------------------------------------------------------------

STREET_TYPES: dict[str, str] = {
    "st": "street", "str": "street", "street": "street",
    "rd": "road", "road": "road",
    "cr": "crescent", "cres": "crescent", "cresc": "crescent", "crs": "crescent", "crescent": "crescent",
    "ave": "avenue", "av": "avenue", "avenue": "avenue",
    "dr": "drive", "drv": "drive", "drive": "drive",
    "pl": "place", "place": "place",
    "ct": "court", "crt": "court", "court": "court",
    "ln": "lane", "lane": "lane",
    "hwy": "highway", "highway": "highway",
    "pde": "parade", "parade": "parade",
    "tce": "terrace", "terrace": "terrace",
    "cl": "close", "close": "close",
    "bvd": "boulevard", "blvd": "boulevard", "boulevard": "boulevard",
    "cct": "circuit", "circuit": "circuit",
    "gr": "grove", "grove": "grove",
    "sq": "square", "square": "square",
    "esp": "esplanade", "esplanade": "esplanade",
    "wy": "way", "way": "way",
    "cir": "circle", "circle": "circle",
    "gdns": "gardens", "gardens": "gardens",
    "mews": "mews", "row": "row", "walk": "walk", "track": "track",
}
OTHER_ABBREVIATIONS: dict[str, str] = {
    "mt": "mount", "nth": "north", "sth": "south", "pt": "point", "stn": "station", "apt": "unit", "flat": "unit",
    "garnishment": "garnishee", "garnish": "garnishee", "garnished": "garnishee", "garnishing": "garnishee",
    "garnishees": "garnishee", "dv": "domestic violence", "fv": "family violence",
}
STATES = frozenset({"nsw", "vic", "qld", "wa", "sa", "tas", "act", "nt"})
TITLES = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr"})
STOPWORDS = frozenset(
    """a an and are as at be been being but by can could did do does for from had has have he her hers him his how i
    if in into is it its me my no not of on or our ours out over she so than that the their them then there these
    they this those to too up us was we were what when where which who whom why will with would you your yours also
    about after again all am any because before below between both during each few further here just more most
    must new now off once only other own same should some such through under until very via while may might shall
    per re lives living live moved move moving now currently address resides staying stays please dear""".split()
)
# Words every letter and every internal note use: a shared run of them is not a disclosure.
CASEWORK_COMMON = frozenset(
    """child children support case cases payer payee payers payees parent parents customer customers agency
    payment payments pay paid paying amount amounts assessment assessments income incomes letter letters contact
    contacted contacting call called calls phone phoned week weekly fortnight fortnightly month monthly year years
    date dates day days arrangement arrangements debt debts collection collect collected decision decisions review
    reviewed officer officers team leader service services information details record records notice notices
    time times number reference our ask asked told tell advised advise need needs needed make made receive received
    send sent issue issues matter matters update updated current new help thank regards sincerely yours""".split()
)
# Internal-only vocabulary: when an internal text on a shared customer uses one of these, the letter may not.
SENSITIVE_TERMS: tuple[tuple[str, ...], ...] = tuple(
    tuple(t.split())
    for t in (
        "garnishee", "family violence", "domestic violence", "violence", "violent", "avo", "dvo", "adfvo",
        "intervention order", "protection order", "apprehended", "restraining order", "police", "refuge", "shelter",
        "silent", "threat", "threats", "threatened", "threatening", "self harm", "suicide", "suicidal",
        "security incident", "restricted service", "abuse", "abusive", "stalking", "assault", "sensitive",
        "ownership", "transfer ownership", "escalated", "relocated", "hiding", "aggressive", "unreasonable",
        "fled", "flee", "harassment", "harass", "harassed", "weapon", "weapons", "injury", "injured",
    )
)
# Capitalised words that are not names of anything secret.
COMMON_CAPITALISED = STOPWORDS | CASEWORK_COMMON | STATES | frozenset(
    """monday tuesday wednesday thursday friday saturday sunday january february march april june july august
    september october november december general manager child support services agency australia australian
    ics dpo cma ps psp crg scs tl so cro nmqcc mca poi uq140 mx1 team leader case manager specialist officer
    spoke called advised noted customer payer payee note internal discussion wants want agreed considered consider
    considering intends intend plans plan will keep keeping transfer transferred ownership reason reasons indicator
    sensitive silent family violence conditions condition employer employed works working works garnishee
    mr mrs ms miss mx dr do not never disclose mother father partner husband wife son daughter ex kids school work
    job moved lives sent letter notice wages pay salary debt objection decided decision""".split()
)
# Words in organisation names that are ordinary on their own ("Acme Logistics" -> "acme" is distinctive).
ORGANISATION_WORDS = frozenset(
    """warehouse group services service holdings solutions industries logistics transport australia company
    construction limited trust store stores shop supermarket hospital council school university bank centre center
    real estate agency agencies mining health care builders building plumbing electrical motors cafe restaurant
    hotel club office national international global management consulting partners associates north south east
    west street road city""".split()
)

MIN_FRAGMENT_CHARS = 12  # whole clauses shorter than this ("FV") would match ordinary words
SHINGLE = 3  # a run of this many content words shared with an internal text is a disclosure
MIN_PHONE_DIGITS = 8


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", str(text or ""))
    return "".join(c for c in text if not unicodedata.combining(c)).casefold().replace("&", " and ")


def tokens(text: str) -> list[str]:
    """Case-folded alphanumeric tokens with street types and common abbreviations expanded."""
    out: list[str] = []
    for raw in re.findall(r"[a-z0-9]+", _fold(text)):
        word = STREET_TYPES.get(raw) or OTHER_ABBREVIATIONS.get(raw) or raw
        out.extend(word.split())
    return out


def _contains(seq: Sequence[str], sub: Sequence[str]) -> bool:
    n = len(sub)
    if not n or n > len(seq):
        return False
    first = sub[0]
    return any(seq[i] == first and list(seq[i : i + n]) == list(sub) for i in range(len(seq) - n + 1))


def _content(toks: Iterable[str]) -> list[str]:
    return [t for t in toks if t not in STOPWORDS and t not in CASEWORK_COMMON and not t.isdigit() and len(t) > 1]


# --- addresses --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AddressParts:
    street: tuple[str, ...] = ()  # e.g. ("wattle", "crescent")
    street_name: tuple[str, ...] = ()  # ("wattle",)
    number: str = ""
    suburb: tuple[str, ...] = ()
    postcode: str = ""
    po_box: tuple[str, ...] = ()


def _is_street_type(tok: str) -> bool:
    return tok in STREET_TYPES.values()


def addresses_in(text: str) -> list[AddressParts]:
    """Streets, suburbs and postcodes recognisable in a text (a postal address or an indicator's conditions)."""
    found: list[AddressParts] = []
    toks = tokens(text)
    n = len(toks)
    for i, tok in enumerate(toks):
        if not _is_street_type(tok) or i == 0:
            continue
        name: list[str] = []
        j = i - 1
        while j >= 0 and len(name) < 3:
            t = toks[j]
            if t.isdigit() or t in STOPWORDS or _is_street_type(t) or t in STATES:
                break
            name.insert(0, t)
            j -= 1
        if not name:
            continue
        number = toks[j] if j >= 0 and toks[j].isdigit() else ""
        suburb: list[str] = []
        postcode = ""
        k = i + 1
        while k < n and len(suburb) < 3:
            t = toks[k]
            if t in STATES:
                k += 1
                continue
            if t.isdigit():
                if len(t) == 4:
                    postcode = t
                break
            if t in STOPWORDS or _is_street_type(t) or t in CASEWORK_COMMON:
                break
            suburb.append(t)
            k += 1
        if not postcode and k < n and toks[k].isdigit() and len(toks[k]) == 4:
            postcode = toks[k]
        found.append(AddressParts(tuple(name) + (tok,), tuple(name), number, tuple(suburb), postcode))
    # Suburb + postcode without a street ("Dubbo NSW 2830", "Dubbo 2830").
    for i, tok in enumerate(toks):
        if len(tok) == 4 and tok.isdigit() and i > 0:
            j = i - 1
            if toks[j] in STATES and j > 0:
                j -= 1
            sub: list[str] = []
            while j >= 0 and len(sub) < 2:
                t = toks[j]
                if t.isdigit() or t in STOPWORDS or _is_street_type(t) or t in STATES or t in CASEWORK_COMMON:
                    break
                sub.insert(0, t)
                j -= 1
            if sub:
                found.append(AddressParts(suburb=tuple(sub), postcode=tok))
    for i in range(len(toks) - 2):
        if toks[i] == "po" and toks[i + 1] == "box" and toks[i + 2].isdigit():
            found.append(AddressParts(po_box=("po", "box", toks[i + 2])))
    return found


def postal_address_parts(address: str) -> list[AddressParts]:
    """A structured postal address: the street line(s) and the suburb line ("Dubbo NSW 2830")."""
    parts = addresses_in(address)
    lines = [ln for ln in re.split(r"[\n,]+", address or "") if ln.strip()]
    if len(lines) > 1:
        last = [t for t in tokens(lines[-1]) if t not in STATES]
        postcode = next((t for t in last if t.isdigit() and len(t) == 4), "")
        suburb = tuple(t for t in last if not t.isdigit())
        if suburb:
            parts.append(AddressParts(suburb=suburb, postcode=postcode))
    return parts


def _address_match(letter: Sequence[str], parts: AddressParts, *, suburb_alone: bool) -> str:
    letter_set = set(letter)
    if parts.po_box and _contains(letter, parts.po_box):
        return "po_box"
    if parts.street and _contains(letter, parts.street):
        return "street"
    if parts.street_name and parts.number and _contains(letter, (parts.number, *parts.street_name)):
        return "number_and_street_name"
    has_suburb = bool(parts.suburb) and _contains(letter, parts.suburb)
    if parts.street_name and has_suburb and _contains(letter, parts.street_name):
        return "street_name_and_suburb"
    if has_suburb and parts.postcode and parts.postcode in letter_set:
        return "suburb_and_postcode"
    if has_suburb and suburb_alone:
        return "suburb"
    return ""


# --- names, contact details, internal texts -------------------------------------------------------------------


def _name_match(letter: Sequence[str], given: str, family: str) -> str:
    fam = tokens(family)
    giv = tokens(given)
    if not fam:
        return ""
    if giv and _contains(letter, (giv[0], *fam)):
        return "full_name"
    if giv and _contains(letter, (*fam, giv[0])):
        return "family_given"
    if giv and _contains(letter, (giv[0][0], *fam)):
        return "initial_and_family"
    if any(_contains(letter, (title, *fam)) for title in TITLES):
        return "title_and_family"
    return ""


def _phone_match(letter_text: str, value: str) -> bool:
    digits = re.sub(r"\D", "", value or "")
    if len(digits) < MIN_PHONE_DIGITS:
        return False
    letter_digits = re.sub(r"[\s().+-]", "", letter_text)
    variants = {digits}
    if digits.startswith("61"):
        variants.add("0" + digits[2:])
    if digits.startswith("0"):
        variants.add("61" + digits[1:])
    return any(v in letter_digits for v in variants)


def _email_match(letter_text: str, value: str) -> bool:
    email = _fold(value).strip()
    if "@" not in email:
        return False
    compact = re.sub(r"\s+", "", _fold(letter_text)).replace("[at]", "@").replace("(at)", "@")
    return email in compact or _contains(tokens(letter_text), tokens(email))


def entities_in(text: str) -> list[tuple[str, ...]]:
    """Named things in an internal text (an employer, a person, a place): runs of capitalised words that are not
    common casework words, as normalised token tuples. A company suffix (Pty Ltd) is dropped."""
    out: list[tuple[str, ...]] = []
    for run in re.findall(r"(?:\b[A-Z][\w'’-]*(?:\s+|$))+", (text or "") + " "):
        toks = [t for t in tokens(run) if t not in ("pty", "ltd", "limited", "inc", "co", "and")]
        while toks and toks[0] in COMMON_CAPITALISED:
            toks.pop(0)
        while toks and toks[-1] in COMMON_CAPITALISED:
            toks.pop()
        if not toks or all(t in COMMON_CAPITALISED or t.isdigit() for t in toks):
            continue
        if len(toks) == 1 and (len(toks[0]) < 4 or toks[0].isdigit() or _is_street_type(toks[0])):
            continue
        out.append(tuple(toks))
    return out


def _clauses(text: str) -> list[list[str]]:
    return [tokens(part) for part in re.split(r"[.;:\n!?]+", text or "")]


def _entity_keys(entity: tuple[str, ...]) -> list[tuple[str, ...]]:
    """The entity itself and, for a multi-word name, each distinctive word of it ("Bunnings Warehouse" -> bunnings)."""
    keys = [entity]
    if len(entity) > 1:
        keys += [
            (t,) for t in entity
            if len(t) >= 4 and not t.isdigit() and t not in COMMON_CAPITALISED and t not in ORGANISATION_WORDS
            and not _is_street_type(t)
        ]
    return keys


def _internal_text_match(
    letter: Sequence[str], letter_text: str, text: str, public: frozenset[str] = frozenset()
) -> str:
    whole = tokens(text)
    if not whole:
        return ""
    for clause in [whole, *_clauses(text)]:
        if clause and len(" ".join(clause)) >= MIN_FRAGMENT_CHARS and _contains(letter, clause):
            return "clause"
    for parts in addresses_in(text):
        if _address_match(letter, parts, suburb_alone=True):
            return "address_in_text"
    for entity in entities_in(text):
        for key in _entity_keys(entity):
            if all(t in public for t in key):
                continue  # the recipient's own name, the signing officer's name
            if _contains(letter, key):
                return "named_entity"
    for term in SENSITIVE_TERMS:
        if _contains(whole, term) and _contains(letter, term):
            return "internal_vocabulary"
    for phone in re.findall(r"(?:\+?\d[\d\s-]{7,}\d)", text):
        if _phone_match(letter_text, phone):
            return "phone_in_text"
    content = _content(whole)
    letter_content = _content(letter)
    shingles = {tuple(content[i : i + SHINGLE]) for i in range(len(content) - SHINGLE + 1)}
    for i in range(len(letter_content) - SHINGLE + 1):
        if tuple(letter_content[i : i + SHINGLE]) in shingles:
            return "shared_wording"
    return ""


# --- the check ------------------------------------------------------------------------------------------------


def free_texts(fields: Mapping[str, Any]) -> list[str]:
    """Every text value of a letter's fields, in order (lists flattened)."""
    out: list[str] = []
    for value in fields.values():
        if isinstance(value, (list, tuple)):
            out.extend(str(v) for v in value)
        elif value is not None:
            out.append(str(value))
    return out


def check_texts(
    texts: Sequence[str], protected: Iterable[Protected], *, public_names: Iterable[str] = ()
) -> DisclosureResult:
    """Pure: refuse when any of ``texts`` discloses any ``protected`` item (PS-CON-4, CMA-1.6).

    The texts are joined into one token stream, so a secret split across paragraphs is still found.
    ``public_names`` (the recipient's own name, the signing officer's) are not secrets when an internal text names
    them."""
    letter_text = "\n".join(texts)
    letter = tokens(letter_text)
    public = frozenset(t for name in public_names for t in tokens(name))
    matches: list[Match] = []
    for item in protected:
        how = ""
        if item.kind in TEXT_KINDS:
            how = _internal_text_match(letter, letter_text, item.text, public)
        elif item.kind in (ADDRESS, SILENT_ADDRESS):
            for parts in postal_address_parts(item.text):
                how = _address_match(letter, parts, suburb_alone=item.kind == SILENT_ADDRESS)
                if how:
                    break
        elif item.kind == CONTACT:
            value = item.text
            if "@" in value:
                how = "email" if _email_match(letter_text, value) else ""
            elif re.sub(r"\D", "", value) and len(re.sub(r"\D", "", value)) >= MIN_PHONE_DIGITS and len(
                re.sub(r"[\d\s()+-]", "", value)
            ) == 0:
                how = "phone" if _phone_match(letter_text, value) else ""
            else:  # special contact arrangements: treat as internal text
                how = _internal_text_match(letter, letter_text, value, public)
        elif item.kind == NAME:
            how = _name_match(letter, item.given, item.family)
        if how:
            matches.append(Match(item.kind, how))
    if not matches:
        return DisclosureResult(Decision.yes("Only customer-facing information.", "PS-CON-4"))
    kinds = list(dict.fromkeys(m.kind for m in matches))
    steps = tuple(dict.fromkeys(s for k in kinds for s in KIND_STEPS[k]))
    if "PS-CON-4" not in steps:
        steps = ("PS-CON-4", *steps)
    what = _join([KIND_LABELS[k] for k in kinds])
    reason = (
        f"This text repeats {what}, which is internal-only or belongs to someone else and cannot be sent to this "
        "customer. Remove it and describe the matter in general terms."
    )
    return DisclosureResult(Decision.no(reason, *steps, kinds=kinds), tuple(matches))


def _join(labels: list[str]) -> str:
    if len(labels) <= 1:
        return "".join(labels)
    return ", ".join(labels[:-1]) + " and " + labels[-1]


# --- what must be protected for a recipient (database reads) -----------------------------------------------------


def protected_for(recipient) -> list[Protected]:
    """Internal-only data of the recipient and of every customer on every case the recipient shares, plus the other
    customers' names, addresses and contact details. The recipient's own name and address are theirs to receive."""
    from django.apps import apps
    from django.db.models import Q

    from casework.customers.models import Case, Customer, Note, NoteKind, SensitiveIssueIndicator

    others = set()
    for payer_id, payee_id in Case.objects.filter(Q(payer=recipient) | Q(payee=recipient)).values_list(
        "payer_id", "payee_id"
    ):
        others.update({payer_id, payee_id})
    others.discard(recipient.pk)
    scope = [recipient.pk, *sorted(others)]
    items: list[Protected] = []
    for ind in SensitiveIssueIndicator.objects.filter(customer_id__in=scope).only("conditions", "reason"):
        items.append(Protected(INDICATOR, f"{ind.get_reason_display()}\n{ind.conditions}"))
    for note in Note.objects.filter(customer_id__in=scope, kind__in=(NoteKind.INTERNAL, NoteKind.PS_STACKING)).only(
        "subject", "body"
    ):
        items.append(Protected(INTERNAL_NOTE, f"{note.subject}\n{note.body}"))
    for model in apps.get_models():
        if not getattr(model, "INTERNAL_ONLY", False) or model is SensitiveIssueIndicator:
            continue
        fk = next((f for f in model._meta.concrete_fields if f.is_relation and f.related_model is Customer), None)
        if fk is None:
            continue
        kind = OWNERSHIP if "ownership" in model._meta.label_lower.split(".")[1] else INTERNAL_RECORD
        if model._meta.app_label == "ownership" and model._meta.model_name == "ownershiptransfer":
            kind = OWNERSHIP
        text_fields = [
            f.attname for f in model._meta.concrete_fields if f.get_internal_type() in ("TextField", "CharField")
        ]
        for row in model._base_manager.filter(**{f"{fk.name}_id__in": scope}).values_list(*text_fields):
            text = "\n".join(str(v) for v in row if v)
            if text:
                # The record's existence is internal too: its kind joins the text ("ownership transfer ...").
                items.append(Protected(kind, f"{model._meta.verbose_name}\n{text}"))
    if apps.is_installed("casework.ps"):
        PsRecord = apps.get_model("ps", "PsRecord")  # noqa: N806
        for row in PsRecord.objects.filter(customer_id__in=scope).values_list(
            "main_referral_reason", "urgent_tl_call", "cro_confirmation"
        ):
            text = "\n".join(v for v in row if v)
            if text:
                items.append(Protected(INTERNAL_RECORD, text))
    for other in Customer.objects.filter(pk__in=others):
        items.append(Protected(NAME, other.full_name, given=other.given_names, family=other.family_name))
        if other.postal_address:
            silent = getattr(other, "postal_address_is_silent", False)
            items.append(Protected(SILENT_ADDRESS if silent else ADDRESS, other.postal_address))
        for value in (other.phone_mobile, other.phone_home, other.email):
            if value:
                items.append(Protected(CONTACT, value))
        if other.special_contact_arrangements:
            items.append(Protected(CONTACT, other.special_contact_arrangements))
    return items


def check_for_recipient(*, recipient, texts: Sequence[str], public_names: Iterable[str] = ()) -> DisclosureResult:
    """The check every customer-facing output calls: may these texts go to ``recipient``?"""
    if not any(str(t).strip() for t in texts):
        return DisclosureResult(Decision.yes("Nothing written by an officer.", "PS-CON-4"))
    return check_texts(texts, protected_for(recipient), public_names=[recipient.full_name, *public_names])
