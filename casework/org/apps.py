from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "casework.org"
    label = "org"
    verbose_name = "Organisation"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the intake-coverage check)
        from casework.core import refcache

        from .models import BusinessArea, IssueType

        # Issue 15: the cached reference rows are reloaded after any save or delete of their table.
        refcache.watch("org.businessarea", BusinessArea)  # ownership.selectors.area_facts
        refcache.watch("org.businessarea.active", BusinessArea)  # selectors.active_business_areas
        refcache.watch("org.issuetype", IssueType, BusinessArea)
