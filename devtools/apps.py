"""The development tools app, and the deploy check that says when it is installed."""

from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register


class DevtoolsConfig(AppConfig):
    name = "devtools"
    verbose_name = "Development tools"

    def ready(self) -> None:
        register(devtools_installed, Tags.security, deploy=True)


def devtools_installed(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """`check --deploy` fails on a server where bench_session could mint sessions."""
    if settings.DEBUG:
        return []  # development: DEBUG itself is reported by Django's own check
    return [
        Warning(
            "The development tools are installed (bench_session logs users in "
            "without a password, generate_intakes writes test data).",
            hint="Unset DEVTOOLS in production.",
            id="devtools.W001",
        )
    ]
