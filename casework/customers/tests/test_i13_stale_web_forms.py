"""Issue 13: every customer-page form that changes an existing record carries the record's version hidden; a form
posted from a stale page is refused with what changed since, and nothing is written (docs/security.md).

Fails on the old code: the forms carried no version, and the stale page's change was applied (registration ended
over the first officer's pending; the default and end of an arrangement both applied; a second role reversal) or
refused without saying who changed what (the debt correction).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.test import Client

from casework.core import clock
from casework.core.models import AuditEvent
from casework.customers import models as cm
from casework.customers import services as cs
from casework.org.roles import Role
from casework.testing import factories as f

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 30, 1, 0, tzinfo=dt.timezone.utc)


@pytest.fixture(autouse=True)
def frozen():
    with clock.freeze(NOW):
        yield


@pytest.fixture
def scene(reference):
    first = f.OfficerFactory(role=Role.TEAM_LEADER)
    second = f.OfficerFactory(role=Role.TEAM_LEADER)
    case = f.CaseFactory()
    debt = cs.debt_record(actor=first.user, case=case, debtor=case.payer, kind=cm.DebtKind.CHILD_SUPPORT_DEBT,
                          amount=Decimal("1200.00"), as_at=dt.date(2026, 11, 1), source="Ledger")
    arrangement = cs.payment_arrangement_create(actor=first.user, debt=debt, instalment=Decimal("100.00"),
                                                frequency="monthly", start_date=dt.date(2026, 12, 1))
    web = Client()
    web.force_login(second.user)
    return {"first": first, "second": second, "case": case, "debt": debt, "arrangement": arrangement, "web": web}


def _hidden_version_after(html: str, marker: str) -> str:
    """The hidden version of the form that holds ``marker`` (its record's id input)."""
    at = html.index(marker)
    form_start = html.rindex("<form", 0, at)
    form_end = html.index("</form>", at)
    found = re.search(r'name="version" value="(\d+)"', html[form_start:form_end])
    assert found, html[form_start:form_end]
    return found.group(1)


# kind → (the marker of its form on the page, the first officer's change through the service, the stale post's
# body, what must still be stored afterwards)
FORMS = {
    "debt-correct": (
        lambda s: f'name="debt_id" value="{s["debt"].pk}"><input type="hidden" name="version"',
        lambda s: cs.debt_correct(actor=s["first"].user, debt=s["debt"], amount=Decimal("1100.00"),
                                  reason="Ledger fix", version=1),
        lambda s, v: {"debt_id": s["debt"].pk, "amount": "900.00", "reason": "Other", "version": v},
        lambda s: cm.Debt.objects.get(case=s["case"], superseded_by__isnull=True).amount == Decimal("1100.00"),
    ),
    "arrangement-change": (
        lambda s: f'name="arrangement_id" value="{s["arrangement"].pk}"',
        lambda s: cs.payment_arrangement_default(actor=s["first"].user, arrangement=s["arrangement"],
                                                 reason="Missed two", version=1),
        lambda s, v: {"arrangement_id": s["arrangement"].pk, "change": "end", "reason": "Paid out", "version": v},
        lambda s: cm.PaymentArrangement.objects.get(pk=s["arrangement"].pk).status == "defaulted",
    ),
    "registration": (
        lambda s: f'id="id_registration_{s["case"].pk}_case_number"',
        lambda s: cs.case_registration_set(actor=s["first"].user, case=s["case"], registration_status="pending",
                                           reason="Awaiting papers", version=1),
        lambda s, v: {"case_number": s["case"].case_number, "registration_status": "ended", "reason": "Closed",
                      "version": v},
        lambda s: cm.Case.objects.get(pk=s["case"].pk).registration_status == "pending",
    ),
    "roles": (
        lambda s: f'id="id_roles_{s["case"].pk}_case_number"',
        lambda s: cs.case_roles_reverse(actor=s["first"].user, case=s["case"], effective_from=dt.date(2026, 1, 1),
                                        reason="Reversal", version=1),
        lambda s, v: {"case_number": s["case"].case_number, "effective_from": "2026-02-01", "reason": "Again",
                      "version": v},
        lambda s: not s["case"].role_history.filter(from_date=dt.date(2026, 2, 1)).exists(),
    ),
}


@pytest.mark.parametrize("kind", list(FORMS))
def test_a_form_posted_from_a_stale_page_is_refused_with_what_changed(scene, kind):
    marker, first_change, stale_body, stands = FORMS[kind]
    csid = scene["case"].payer.csid
    page = scene["web"].get(f"/customers/{csid}/")
    assert page.status_code == 200
    version = _hidden_version_after(page.content.decode(), marker(scene))
    assert version == "1"

    first_change(scene)
    events = AuditEvent.objects.exclude(action__in=("customer.read", "customer.view")).count()
    r = scene["web"].post(f"/customers/{csid}/facts/{kind}/", stale_body(scene, version), follow=True)
    assert r.status_code == 200
    said = " ".join(str(m) for m in r.context["messages"]).lower()
    assert "someone else changed" in said and scene["first"].user.username in said, said
    assert stands(scene)
    assert AuditEvent.objects.exclude(action__in=("customer.read", "customer.view")).count() == events


@pytest.mark.parametrize("kind", list(FORMS))
def test_a_form_without_its_version_is_refused_and_writes_nothing(scene, kind):
    _, _, stale_body, _ = FORMS[kind]
    body = stale_body(scene, "1")
    body.pop("version")
    events = AuditEvent.objects.exclude(action__in=("customer.read", "customer.view")).count()
    r = scene["web"].post(f"/customers/{scene['case'].payer.csid}/facts/{kind}/", body, follow=True)
    said = " ".join(str(m) for m in r.context["messages"]).lower()
    assert "version" in said, said
    assert AuditEvent.objects.exclude(action__in=("customer.read", "customer.view")).count() == events


@pytest.mark.parametrize("kind", list(FORMS))
def test_a_form_from_the_current_page_applies(scene, kind):
    _, _, stale_body, _ = FORMS[kind]
    r = scene["web"].post(f"/customers/{scene['case'].payer.csid}/facts/{kind}/", stale_body(scene, "1"),
                          follow=True)
    said = " ".join(str(m) for m in r.context["messages"]).lower()
    assert "someone else" not in said and "check the highlighted" not in said, said
