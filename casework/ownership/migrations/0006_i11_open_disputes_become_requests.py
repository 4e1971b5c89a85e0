"""Issue 11: an ownership dispute escalated before the approval mechanism (an ``ownership_dispute`` intray in one
Team Leader's queue) becomes a pending ``ownership_dispute`` request for approval, decided by a Team Leader of one of
the two areas concerned from /approvals/ (it appears in their "to decide" queue by role and area). The old intray is
closed by the decision (``services._close_legacy_dispute_intrays``)."""

from django.db import migrations


def forwards(apps, schema_editor):
    OwnershipTransfer = apps.get_model("ownership", "OwnershipTransfer")
    ApprovalRequest = apps.get_model("approvals", "ApprovalRequest")
    ApprovalEvent = apps.get_model("approvals", "ApprovalEvent")
    for d in OwnershipTransfer.objects.filter(status="escalated").select_related("customer", "from_area", "to_area"):
        if ApprovalRequest.objects.filter(kind="ownership_dispute", subject_type="ownership.ownershiptransfer",
                                          subject_id=str(d.pk)).exists():
            continue
        role = "team_leader"
        if d.from_area.code == "PS" and d.to_area.code == "PS":
            role = "ps_team_leader"
        row = ApprovalRequest.objects.create(
            kind="ownership_dispute", customer=d.customer, subject_type="ownership.ownershiptransfer",
            subject_id=str(d.pk),
            summary=(f"Ownership dispute: {d.from_area.name} (owner) or {d.to_area.name} for "
                     f"{d.customer.given_names} {d.customer.family_name}")[:300],
            payload={"from_area": d.from_area.code, "to_area": d.to_area.code,
                     "expected_contact_volume": d.expected_contact_volume, "time_to_resolve": d.time_to_resolve},
            reason=f"{d.reason}\nContact volume: {d.expected_contact_volume}\nTime to resolve: {d.time_to_resolve}",
            requested_by_id=d.raised_by_id, requested_at=d.raised_at,
            eligibility={"role": role, "label": f"a Team Leader of {d.from_area.name} or {d.to_area.name}",
                         "team_ids": [], "area_codes": [d.from_area.code, d.to_area.code], "officer_ids": []},
            eligible_role=role, worked_by=[], status="pending", step_ids=["CMA-1.6"], version=1)
        ApprovalEvent.objects.create(request=row, action="requested", actor_id=d.raised_by_id, at=d.raised_at,
                                     reason=row.reason, data={"summary": row.summary, "migrated": True})


class Migration(migrations.Migration):
    dependencies = [
        ("ownership", "0005_i11_transfer_approval_statuses"),
        ("approvals", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
