from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "casework.core"
    label = "core"
    verbose_name = "Core: audit trail and shared infrastructure"

    def ready(self) -> None:
        from . import checks, signin  # noqa: F401  (system checks register on import)

        from .lookups import register

        signin.connect()
        unregister_unsafe_admin_screens()
        register()  # ``field__any_of=[...]``: one array parameter on PostgreSQL (issue 15)


# Admin screens nobody may have: the job scheduler (a schedule names any Python function, e.g. ``os.system``, to run
# as the application) and API token screens (tokens are issued and revoked through the API only).
UNSAFE_ADMIN_APPS = frozenset({"django_q", "knox", "authtoken"})


def unregister_unsafe_admin_screens() -> None:
    from django.contrib import admin

    for model in list(admin.site._registry):
        if model._meta.app_label in UNSAFE_ADMIN_APPS:
            admin.site.unregister(model)
