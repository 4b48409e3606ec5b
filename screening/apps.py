"""The screening app."""

from django.apps import AppConfig


class ScreeningConfig(AppConfig):
    name = "screening"
    verbose_name = "Screening"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Audit rows for logins, lockouts and privilege changes (screening/signals.py).
        from screening import signals  # noqa: F401
        from screening.logs import install_record_factory

        install_record_factory()
