from django.apps import AppConfig


class OwnershipConfig(AppConfig):
    name = "casework.ownership"
    label = "ownership"

    def ready(self) -> None:
        # The customers and letters transitions check issue scope and PS-SPE-1 through these (customers.scope).
        from . import approval_kinds  # noqa: F401  (registers the CMA-1.6 kinds of request for approval)
        from . import routing, scope

        scope.register()
        routing.connect()  # issue 15: the call-routing table follows every lock change (routing.py)
