import pytest

from casework.core.management.commands.load_reference import load_all
from casework.core.models import AuditEvent
from casework.org.models import BusinessArea, IssueType


@pytest.mark.django_db
def test_reference_load_is_idempotent_and_audited():
    load_all()
    org_events = AuditEvent.objects.filter(target_type__in=["businessarea", "issuetype"])
    areas, issues, events = BusinessArea.objects.count(), IssueType.objects.count(), org_events.count()
    assert areas >= 16 and issues >= 20 and events == areas + issues
    total = AuditEvent.objects.count()
    load_all()
    assert (BusinessArea.objects.count(), IssueType.objects.count(), AuditEvent.objects.count()) == (
        areas, issues, total
    )


@pytest.mark.django_db
def test_cma_1_5_retention_order_is_data():
    """CMA-1.5: Deceased, PS, Litigation, DPO, ICS, New Customers, with the parties each keeps."""
    load_all()
    ranked = BusinessArea.objects.exclude(retention_priority=None).order_by("retention_priority")
    assert [(a.code, a.retains_parties) for a in ranked] == [
        ("DECEASED", "either"),
        ("PS", "either"),
        ("LITIGATION", "both"),
        ("DPO", "payer"),
        ("ICS", "payer"),
        ("NEW_CUSTOMERS", "both"),
    ]
