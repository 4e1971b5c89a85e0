import pytest

from casework.core.context import job_context
from casework.intrays.models import Intray, IntrayType

pytestmark = pytest.mark.django_db


def test_reference_load_is_idempotent_and_schedules_the_sla_job(reference):
    from django_q.models import Schedule

    from casework.intrays import reference as ref

    # Every intrays type is loaded once; other apps may load their own types (ps: Finalisation not approved).
    codes = list(IntrayType.objects.values_list("code", flat=True))
    assert len(codes) == len(set(codes)) and {t[0] for t in ref.INTRAY_TYPES} <= set(codes)
    assert IntrayType.objects.get(code="client_contact_required").sla_working_days == 2  # CMA-2.10
    assert IntrayType.objects.get(code="complaints_referral_to_ps").sla_working_days == 7  # PS-REF-2
    assert IntrayType.objects.get(code="ps_referral_tl_only").creator_roles == ["team_leader", "ps_team_leader"]
    with job_context("test"):
        assert ref.load() == 0
    schedule = Schedule.objects.get(name=ref.SLA_SCHEDULE_NAME)
    assert schedule.func == "casework.intrays.jobs.sla_breach_job"
    assert Schedule.objects.filter(name=ref.SLA_SCHEDULE_NAME).count() == 1


def test_demo_seed_is_idempotent(reference, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from casework.intrays import demo
    from casework.web import demo as web_demo

    with job_context("seed_demo"):
        web_demo.seed()
        first = demo.seed()
        count = Intray.objects.count()
        assert demo.seed() == "intrays already loaded"
    assert "intrays created" in first and count >= 10
    assert Intray.objects.count() == count
    assert Intray.objects.filter(type__code="sla_breach", assignee_officer__user__username="tl_nsw").exists()
