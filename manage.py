#!/usr/bin/env python
"""Django's command-line utility."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    if sys.argv[1:2] == ["screen"]:
        # `screen` is an offline command-line tool (rule book §11): it runs in
        # development mode unless the environment says otherwise, so it needs no
        # deployment secrets.
        os.environ.setdefault("DEBUG", "true")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(sys.argv)
    except ImproperlyConfigured as error:
        # A missing setting is a message for the person at the terminal, not a
        # traceback; the demo commands need development mode, not secrets.
        sys.exit(
            f"manage.py: {error}.\nDevelopment commands (setup_demo, demo_totp) "
            "run with DEBUG=true, as scripts/run does."
        )


if __name__ == "__main__":
    main()
