from django.apps import AppConfig


class LettersConfig(AppConfig):
    name = "casework.letters"
    label = "letters"

    def ready(self) -> None:
        from casework.core import audit_display

        from . import registry

        def template_title(code: str) -> str | None:
            template = registry.get(code)
            return template.title if template is not None else None

        # Issue 14: the audit page names a letter template by its title, not its code.
        audit_display.register_value_label("template_code", template_title)
