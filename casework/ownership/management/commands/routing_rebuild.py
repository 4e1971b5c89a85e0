from django.core.management.base import BaseCommand

from casework.ownership.services import routing_rebuild


class Command(BaseCommand):
    help = ("Recompute the call-routing table (ownership.CustomerRoute) from the active locks and scheduled automatic "
            "unlocks (issue 15): after a restore, or after renaming an area or moving an officer.")

    def handle(self, *args, **options):
        written = routing_rebuild()
        self.stdout.write(f"Routing rows written: {written}")
