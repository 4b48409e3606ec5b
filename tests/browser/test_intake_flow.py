"""Intake pages by keyboard: the focus never changes an answer, it follows the work
after a save, and typing survives the idle logout as a server-side draft (T-SES-06)."""

import datetime
import re

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from screening.models import Intake
from tests.browser.section_pages import leave

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def section(live_server, intake: Intake, slug: str) -> str:
    return live_server.url + reverse(
        "screening:intake-section-edit", args=[intake.pk, slug]
    )


def focused(page: Page) -> str:
    """What has the focus: its tag, and its name or id."""
    return page.evaluate(
        "() => { const e = document.activeElement;"
        " return e.tagName.toLowerCase() + ':' + (e.name || e.id || ''); }"
    )


def test_it_focuses_a_question_never_an_option_so_an_arrow_key_changes_nothing(
    page, live_server, login, staff, intake
):
    login(page, staff)
    page.goto(section(live_server, intake, "medical-history"))

    assert focused(page).startswith("fieldset")  # the first question's group
    group = page.locator("fieldset:focus")
    expect(group).to_be_in_viewport()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowUp")
    page.keyboard.press(" ")
    assert page.locator("input[type=radio]:checked[value]:not([value=''])").count() == 0
    # Tab enters the group; the arrow keys then move within it, as the platform does.
    page.keyboard.press("Tab")
    assert focused(page).startswith("input:")


def test_it_focuses_the_next_section_after_a_save(
    page, live_server, login, staff, intake
):
    login(page, staff)
    page.goto(section(live_server, intake, "vitals"))
    assert focused(page) == "input:bp_systolic"  # the first unanswered question
    page.keyboard.type("128")

    with page.expect_navigation():
        page.get_by_role("button", name="Save vital signs").press("Enter")

    expect(page.get_by_role("link", name="Medical history")).to_be_focused()

    page.goto(section(live_server, intake, "vitals"))
    with page.expect_navigation():
        page.get_by_role("button", name="Save and continue").press("Enter")
    expect(page.get_by_role("heading", name="Medical history")).to_be_visible()
    assert focused(page).startswith("fieldset")


def test_enter_in_a_text_box_saves_and_continues_to_the_next_section(
    page, live_server, login, staff, intake
):
    login(page, staff)
    page.goto(section(live_server, intake, "vitals"))
    page.keyboard.type("128")

    with page.expect_navigation():
        page.keyboard.press("Enter")  # the primary action, as GOV.UK forms do

    expect(page.get_by_role("heading", name="Medical history")).to_be_visible()
    expect(page.get_by_text("Vital signs saved.")).to_be_visible()
    assert intake.sections.get(kind="vitals").data["bp_systolic"] == 128


def checked(page: Page) -> list[str]:
    return page.locator("input:checked").evaluate_all(
        "inputs => inputs.map(i => i.name + '=' + i.value)"
    )


@pytest.mark.parametrize("slug", ["antidepressant-trials", "medical-history"])
def test_space_or_an_arrow_key_on_a_fresh_page_changes_no_answer(
    page, live_server, login, staff, intake, slug
):
    login(page, staff)
    page.goto(section(live_server, intake, slug))
    before = checked(page)
    visible_rows = page.locator(".row-entry:visible").count()

    for key in (" ", "ArrowDown", "ArrowUp", "ArrowRight"):
        page.keyboard.press(key)

    assert checked(page) == before
    assert page.locator(".row-entry:visible").count() == visible_rows


def test_it_restores_typing_after_the_idle_logout__f15(
    page, live_server, login, staff, intake, settings
):
    page.clock.install()
    login(page, staff)
    page.goto(section(live_server, intake, "vitals"))
    page.keyboard.type("173")
    page.keyboard.press("Tab")
    page.keyboard.type("95")

    age = settings.SESSION_COOKIE_AGE
    with page.expect_response(lambda r: "/draft/" in r.url) as draft:
        page.clock.run_for(3_000)  # the 2 s debounce
    assert draft.value.status == 204
    page.wait_for_timeout(300)  # real time: the page handles the answer (timer renewed)
    page.clock.run_for((age - 63) * 1000)
    expect(page.locator("[data-session-warning]")).to_be_visible()  # >= 60 s ahead
    page.clock.run_for(63_000)
    expect(page.locator("[data-session-ended]")).to_be_visible()
    # The server's idle limit passes (its clock is not the page's).
    Session.objects.update(expire_date=timezone.now() - datetime.timedelta(seconds=1))

    page.reload()
    expect(page).to_have_url(re.compile(r"/login"))
    login(page, staff)
    page.goto(section(live_server, intake, "vitals"))

    expect(page.get_by_text("Restored your unsaved changes from")).to_be_visible()
    expect(page.locator('[name="bp_systolic"]')).to_have_value("173")
    expect(page.locator('[name="bp_diastolic"]')).to_have_value("95")
    storage = page.evaluate("() => [localStorage.length, sessionStorage.length]")
    assert storage == [0, 0]


def test_mark_the_rest_no_answers_only_the_questions_left_unanswered(
    page, live_server, login, staff, intake
):
    login(page, staff)
    page.goto(section(live_server, intake, "medical-history"))
    page.keyboard.press("Tab")  # into the first question, on "Not answered"
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    expect(page.locator("#id_aneurysmal_vascular_disease_0")).to_be_checked()  # Yes

    page.get_by_role("button", name="Mark every question not answered yet").press(
        "Enter"
    )

    answers = dict(item.split("=", 1) for item in checked(page))
    assert answers["aneurysmal_vascular_disease"] == "yes"  # kept as answered
    assert answers["intracerebral_hemorrhage"] == "no"
    assert answers["mi_or_acs_date"] == "never"
    assert answers["heart_failure_nyha_class"] == "0"
    assert answers["hepatic_impairment_child_pugh"] == "none"
    expect(page.get_by_text("questions marked No")).to_be_visible()
    # On to the next question not answered, past every one just marked.
    expect(page.locator('[name="other_conditions"]')).to_be_focused()
    leave(page)


def test_dast10_marks_only_its_own_items_no_and_goes_on_to_the_next_question(
    page, live_server, login, staff, intake
):
    login(page, staff)
    page.goto(section(live_server, intake, "substance-use"))  # both screeners given
    page.locator("#id_dast_3_0").check()  # Yes

    page.get_by_role("button", name="Mark every DAST-10 item not answered yet").press(
        "Enter"
    )

    answers = dict(item.split("=", 1) for item in checked(page))
    assert [answers[f"dast_{n}"] for n in range(1, 11)] == ["no"] * 2 + ["yes"] + [
        "no"
    ] * 7
    # AUDIT-C, above it, has "Never" options: still not answered.
    assert [answers[f"audit_q{n}"] for n in (1, 2, 3)] == ["", "", ""]
    expect(page.get_by_text("9 questions marked No")).to_be_visible()
    # The focus goes on to the next one after DAST-10, not AUDIT-C's first above it.
    assert focused(page) == "fieldset:"
    expect(page.locator("fieldset:focus")).to_contain_text(
        "substance use disorders asked about"
    )
    leave(page)
