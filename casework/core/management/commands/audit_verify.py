"""``manage.py audit_verify``: chain any audit events not yet chained, then walk the hash chain and report the first
broken link (an event deleted or altered by whoever could bypass the database's refusals, e.g. its owner).
Exit status 1 when broken. docs/security.md, "The audit hash chain"."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from casework.core.audit import audit_chain_seal, audit_chain_verify
from casework.core.models import AuditEvent


class Command(BaseCommand):
    help = "Verify the audit trail's hash chain; report the first broken link."

    def add_arguments(self, parser):
        parser.add_argument("--no-seal", action="store_true", help="Only verify; do not chain pending events first.")

    def handle(self, *args, **options):
        if not options["no_seal"]:
            sealed = audit_chain_seal(everything=True)
            if sealed:
                self.stdout.write(f"chained {sealed} audit events that were not chained yet")
        checked, broken = audit_chain_verify()
        unchained = AuditEvent.objects.count() - checked
        if broken:
            raise CommandError(f"audit chain broken after {checked} good links: {broken}")
        if unchained > 0:
            raise CommandError(f"audit chain whole over {checked} links, but {unchained} events are not in it")
        self.stdout.write(f"audit chain whole: {checked} events")
