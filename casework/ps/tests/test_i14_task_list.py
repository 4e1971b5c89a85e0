"""Issue 14: the PS record is a task list (each task a link with its status, in procedure order PS-REF → PS-ACT, the
step IDs behind a "why" disclosure) with a page per task. Each task's form re-renders its own page with what was
typed on a refusal, carries the record's version (409 when stale) and comes back to the task list with the
confirmation. PS letters are previewed before sending (nothing written by the preview) and listed by their title."""

from __future__ import annotations

import pytest
from django.test import Client

from casework.letters.models import Letter
from casework.ps import policy
from casework.ps.models import LetterLog

from .helpers import ATTEST, allocate, first_contact, resolve_all

pytestmark = pytest.mark.django_db

ORDER = ["referral", "plan", "notepad", "contact", "segment", "letters", "finalisation", "decision"]


def login(officer):
    c = Client()
    c.force_login(officer.user)
    return c


def _facts(**kw):
    base = dict(active=True, plan_approved=False, plan_touched=False, notepads=0, first_contact=False, follow_ups=0,
                segment=None, segment_3_requested=False, letters_sent=(), uq140_01_skipped=False,
                finalisation_blockers=("5 plan issue(s) not resolved",), finalisation="", customer_told=False)
    return policy.TaskFacts(**{**base, **kw})


def test_policy_task_list_in_procedure_order_with_statuses_and_steps():
    tasks = policy.task_list(_facts())
    assert [t.key for t in tasks] == ORDER
    status = {t.key: t.status_label for t in tasks}
    assert status == {"referral": "Completed", "plan": "Not started", "notepad": "Not started",
                      "contact": "Not started", "segment": "Not started", "letters": "Not started",
                      "finalisation": "Cannot start yet", "decision": "Cannot start yet"}
    fin = next(t for t in tasks if t.key == "finalisation")
    assert "5 plan issue(s) not resolved" in fin.why.reason and fin.why.step_ids == ("PS-FIN-1",)
    assert all(t.why.step_ids for t in tasks)
    later = {t.key: t.status_label for t in policy.task_list(_facts(
        plan_touched=True, notepads=1, first_contact=True, segment_3_requested=True,
        letters_sent=("uq140_00_introduction",), finalisation_blockers=(), customer_told=True))}
    assert later == {"referral": "Completed", "plan": "In progress", "notepad": "Completed", "contact": "Completed",
                     "segment": "In progress", "letters": "In progress", "finalisation": "In progress",
                     "decision": "Cannot start yet"}
    done = {t.key: t.status_label for t in policy.task_list(_facts(
        plan_approved=True, segment=2, uq140_01_skipped=True, finalisation="pending", finalisation_blockers=()))}
    assert done["plan"] == done["segment"] == done["letters"] == done["finalisation"] == "Completed"
    assert done["decision"] == "In progress"


def test_record_page_is_a_task_list_linking_each_task_page(ps_org):
    rec = allocate(ps_org)
    c = login(ps_org.cm)
    html = c.get(f"/ps/records/{rec.pk}/").content.decode()
    positions = [html.index(f'data-testid="task-{k}"') for k in ORDER]
    assert positions == sorted(positions)
    for key in ORDER[:-2]:
        assert f'href="/ps/records/{rec.pk}/tasks/{key}/"' in html
    # Cannot start yet: no link, the reason behind "Why".
    assert f'href="/ps/records/{rec.pk}/tasks/finalisation/"' not in html
    assert "Cannot start yet" in html and "<summary>Why" in html and "plan issue(s) not resolved" in html
    assert 'name="summary"' not in html  # no forms on the list: they are on the task pages
    for key in [*ORDER, "more"]:
        r = c.get(f"/ps/records/{rec.pk}/tasks/{key}/")
        assert r.status_code == 200, key
        assert "Back to the task list" in r.content.decode()
    assert c.get(f"/ps/records/{rec.pk}/tasks/nothing/").status_code == 404
    seen = login(ps_org.so).get(f"/ps/records/{rec.pk}/tasks/plan/")  # read only: no forms for a front-line officer
    assert seen.status_code == 200 and 'name="agreed_contact_times"' not in seen.content.decode()


def test_task_form_done_returns_to_the_task_list_with_the_confirmation(ps_org):
    rec = allocate(ps_org)
    c = login(ps_org.cm)
    r = c.post(f"/ps/records/{rec.pk}/note/", {"subject": "Call about estimate", "body": "Customer asked"})
    assert r.status_code == 302 and r.url == f"/ps/records/{rec.pk}/"
    page = c.get(r.url).content.decode()
    assert "Notepad added to the stacking document." in page and 'data-testid="task-list"' in page


def test_task_form_refused_reshows_its_task_page_as_typed(ps_org):
    rec = allocate(ps_org)
    r = login(ps_org.cm).post(f"/ps/records/{rec.pk}/note/", {"subject": "x", "body": "Typed body text"})
    html = r.content.decode()
    assert r.status_code == 400 and "There is a problem" in html and "PS-DOC-2" in html
    assert "<h1>Stacking document notepads" in html and "Typed body text</textarea>" in html and 'value="x"' in html


def test_plan_task_stale_version_is_409(ps_org):
    rec = allocate(ps_org)
    c = login(ps_org.cm)
    v = rec.plan.version
    assert c.post(f"/ps/records/{rec.pk}/plan/", {"version": v, "agreed_contact_times": "Mornings"}).status_code == 302
    r = c.post(f"/ps/records/{rec.pk}/plan/", {"version": v, "agreed_contact_times": "Evenings"})
    assert r.status_code == 409 and "<h1>Personalised Services Plan" in r.content.decode()
    assert 'value="Evenings"' in r.content.decode()


def test_statuses_follow_the_work(ps_org):
    rec = allocate(ps_org)
    first_contact(ps_org, rec)
    resolve_all(ps_org, rec)
    html = login(ps_org.cm).get(f"/ps/records/{rec.pk}/").content.decode()

    def status(key):
        part = html.split(f'data-testid="task-{key}"')[1]
        return part.split('class="tag task-status')[1].split(">")[1].split("<")[0]

    assert status("contact") == "Completed" and status("plan") == "In progress"
    assert status("finalisation") == "Not started"
    assert ATTEST  # the attestations are ticked on the finalisation page itself


def test_letter_preview_writes_nothing_then_send_lists_it_by_title(ps_org, django_capture_on_commit_callbacks):
    rec = allocate(ps_org)
    c = login(ps_org.cm)
    data = {"template_code": "uq140_00_introduction", "next_contact": ""}
    r = c.post(f"/ps/records/{rec.pk}/letter_preview/", data)
    html = r.content.decode()
    assert r.status_code == 200 and "Preview: Introducing your Personalised Services Case Manager" in html
    assert f'action="/ps/records/{rec.pk}/letter/"' in html and "Send this letter" in html
    assert not LetterLog.objects.exists() and not Letter.objects.exists()
    with django_capture_on_commit_callbacks() as queued:
        r = c.post(f"/ps/records/{rec.pk}/letter/", data)
    assert r.status_code == 302 and LetterLog.objects.count() == 1
    page = c.get(f"/ps/records/{rec.pk}/").content.decode()
    sent = page.split('data-testid="sent-letters"')[1].split("</ul>")[0]
    assert "Introducing your Personalised Services Case Manager" in sent and "uq140_00_introduction" not in sent
    # Issue 15: the PDF is rendered after commit; until then the list says so.
    assert "Being prepared" in sent and "/pdf/" not in sent
    for callback in queued:
        callback()
    page = c.get(f"/ps/records/{rec.pk}/").content.decode()
    sent = page.split('data-testid="sent-letters"')[1].split("</ul>")[0]
    assert 'target="_blank"' in sent and "Being prepared" not in sent


def test_letter_preview_refused_like_sending(ps_org):
    rec = allocate(ps_org)
    r = login(ps_org.cm).post(f"/ps/records/{rec.pk}/letter_preview/", {"template_code": "decision_letter"})
    assert r.status_code == 400 and "<h1>Letters to the customer" in r.content.decode()
    assert login(ps_org.so).post(f"/ps/records/{rec.pk}/letter_preview/",
                                 {"template_code": "uq140_00_introduction"}).status_code == 403
