"""What the browser tests of the section pages share."""

from django.urls import reverse
from playwright.sync_api import Page

from screening.models import Intake


def open_section(page: Page, live_server, intake: Intake, slug: str) -> None:
    page.goto(
        live_server.url
        + reverse("screening:intake-section-edit", args=[intake.pk, slug])
    )


def leave(page: Page) -> None:
    """Leave without saving, once the page has answered: the draft posts it started
    are then done, not still writing while the test database is emptied."""
    page.get_by_role("link", name="Back to the intake without saving").click()
    page.wait_for_load_state()
