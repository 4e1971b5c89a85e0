"""Issue 12: a role reversal (CMA-2.4) is correctable with a reason, nothing deleted. A wrongly dated reversal gets
its date corrected; a reversal keyed in error is undone (the parties swap back, the earlier period reopens). The
replaced periods stay readable (superseded, with the reason); the rules (past role reversal, the MCA role, the
export) read only current periods. API ``POST /api/v1/cases/<n>/roles/correct/`` and the customer page's form."""

from __future__ import annotations

from django.test import Client

from casework.core.models import AuditEvent
from casework.customers import models as cm
from casework.customers.selectors import customer_summary
from casework.org.roles import Role
from casework.testing import factories as f

from .test_i12_facts_api import api, api_for, frozen, ok, w  # noqa: F401  (fixtures)


def _reverse(api, w, day="2026-11-01"):  # noqa: F811
    return ok(api.post(f"/api/v1/cases/{w.case}/roles/", {"effective_from": day, "reason": "Children moved"},
                       format="json"))


def _current(w):
    return [(h.payer.csid, h.from_date.isoformat(), h.to_date and h.to_date.isoformat())
            for h in cm.CaseRoleHistory.objects.filter(case__case_number=w.case).order_by("from_date", "id")]


def test_a_wrongly_dated_reversal_is_corrected_superseding_both_periods(api, w):  # noqa: F811
    _reverse(api, w)
    rows = ok(api.post(f"/api/v1/cases/{w.case}/roles/correct/", {"effective_from": "2026-10-15",
                                                                   "reason": "Moved a fortnight earlier"},
                       format="json"))
    assert _current(w) == [(w.payer, "2020-07-01", "2026-10-14"), (w.payee, "2026-10-15", None)]
    old = [r for r in rows if r["superseded_by"]]
    assert [(r["from_date"], r["to_date"], r["correction_reason"]) for r in old] == [
        ("2020-07-01", "2026-10-31", "Moved a fortnight earlier"), ("2026-11-01", None, "Moved a fortnight earlier")]
    case = cm.Case.objects.get(case_number=w.case)
    assert (case.payer.csid, case.payee.csid) == (w.payee, w.payer), "the reversal itself stands"
    assert cm.CaseRoleHistory.all_objects.filter(case=case).count() == 4
    assert AuditEvent.objects.filter(action="case.roles_correct").count() == 2  # one per party


def test_a_reversal_keyed_in_error_is_undone_the_parties_swap_back(api, w):  # noqa: F811
    _reverse(api, w)
    payer = cm.Customer.objects.get(csid=w.payee)  # the payer since the reversal
    assert customer_summary(customer=payer).role_reversal
    ok(api.post(f"/api/v1/cases/{w.case}/roles/correct/", {"undo": True, "reason": "Keyed on the wrong case"},
                format="json"))
    case = cm.Case.objects.get(case_number=w.case)
    assert (case.payer.csid, case.payee.csid) == (w.payer, w.payee)
    assert _current(w) == [(w.payer, "2020-07-01", None)]
    # CMA-2.4 "past role reversal" reads current periods only: neither party held the other role any more.
    assert not customer_summary(customer=payer).role_reversal
    assert not customer_summary(customer=cm.Customer.objects.get(csid=w.payer)).role_reversal
    listed = ok(api.get(f"/api/v1/cases/{w.case}/roles/"), 200)
    assert sum(1 for r in listed if r["superseded_by"]) == 2 and len(listed) == 3


def test_export_reads_current_periods_only(api, w):  # noqa: F811
    from casework.imports.exporter import export_rows

    _reverse(api, w)
    ok(api.post(f"/api/v1/cases/{w.case}/roles/correct/", {"effective_from": "2026-10-15", "reason": "Earlier"},
                format="json"))
    case = cm.Case.objects.get(case_number=w.case)
    rows = [r for r in export_rows(customers=cm.Customer.objects.filter(pk__in=[case.payer_id, case.payee_id]))
            if r.get("record") in ("case", "role_reversal")]
    assert [(r["record"], r.get("role_history_from") or r.get("effective_from")) for r in rows] == [
        ("case", "2020-07-01"), ("role_reversal", "2026-10-15")]


def test_refusals_no_reversal_409_both_or_neither_400_same_date_400_stale_409(api, w):  # noqa: F811
    url = f"/api/v1/cases/{w.case}/roles/correct/"
    r = api.post(url, {"effective_from": "2026-10-15", "reason": "x"}, format="json")
    assert r.status_code == 409 and "CMA-2.4" in r.json()["step_ids"]
    _reverse(api, w)
    version = cm.Case.objects.get(case_number=w.case).version
    for body, field in (({"undo": True, "effective_from": "2026-10-15", "reason": "x"}, "effective_from"),
                        ({"reason": "x"}, "effective_from"),
                        ({"effective_from": "2026-11-01", "reason": "x"}, "effective_from"),
                        ({"effective_from": "2020-07-01", "reason": "x"}, "effective_from"),
                        ({"effective_from": "2026-10-15"}, "reason")):
        r = api.post(url, body, format="json")
        assert r.status_code == 400 and field in r.json()["fields"], (body, r.json())
    api.post(f"/api/v1/cases/{w.case}/registration/", {"registration_status": "pending", "reason": "x"},
             format="json")
    r = api.post(url, {"effective_from": "2026-10-15", "reason": "x", "version": version}, format="json")
    assert r.status_code == 409
    assert cm.CaseRoleHistory.all_objects.filter(superseded_by__isnull=False).count() == 0
    auditor = api_for(f.OfficerFactory(role=Role.AUDITOR))
    assert auditor.post(url, {"undo": True, "reason": "x"}, format="json").status_code == 403


def test_customer_page_form_corrects_the_latest_reversal(api, w):  # noqa: F811
    _reverse(api, w)
    officer = f.OfficerFactory(role=Role.SERVICE_OFFICER)
    web = Client()
    web.force_login(officer.user)
    page = web.get(f"/customers/{w.payer}/").content.decode()
    assert "roles-correct" in page
    case = cm.Case.objects.get(case_number=w.case)
    r = web.post(f"/customers/{w.payer}/facts/roles-correct/", {
        "case_number": w.case, "undo": "on", "reason": "Keyed in error", "version": case.version}, follow=True)
    assert any("undone" in str(m) for m in r.context["messages"])
    assert _current(w) == [(w.payer, "2020-07-01", None)]
    page = web.get(f"/customers/{w.payer}/").content.decode()
    assert 'data-testid="roles-corrected"' in page and "Keyed in error" in page
