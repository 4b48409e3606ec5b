"""Type-ahead in groups of options (static/js/radio_typeahead.js, #16): with the focus
on an option, or on the question's group the page focused, typing the start of an
answer's label, or a scale answer's score, chooses it, as in a native select; the focus
stays in the question."""

import pytest
from playwright.sync_api import Page, expect

from tests.browser.section_pages import leave, open_section

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def focused_option(page: Page) -> str:
    return page.evaluate(
        "() => { const e = document.activeElement; return e.type === 'radio'"
        " ? e.name + '=' + e.value : e.tagName.toLowerCase(); }"
    )


def checked(page: Page) -> list[str]:
    return page.locator("input[type=radio]:checked").evaluate_all(
        "inputs => inputs.map(i => i.name + '=' + i.value)"
        ".filter(a => !a.endsWith('='))"
    )


def test_typing_a_letter_checks_the_answer_it_starts_and_keeps_the_focus_there(
    page, live_server, login, staff, intake
):
    login(page, staff)
    open_section(page, live_server, intake, "medical-history")
    expect(
        page.get_by_text("Type the first letter or number of an answer to choose it")
    ).to_be_visible()
    page.keyboard.press("Tab")  # from the first question's group to its first option
    question = focused_option(page).split("=")[0]

    with page.expect_response(lambda r: "/draft/" in r.url) as draft:
        page.keyboard.press("n")
    assert draft.value.status == 204  # a draft save, as after a click
    assert checked(page) == [f"{question}=no"]
    assert focused_option(page) == f"{question}=no"

    page.keyboard.press("y")
    assert checked(page) == [f"{question}=yes"]
    assert focused_option(page) == f"{question}=yes"
    leave(page)


def test_typing_on_the_question_the_page_focused_chooses_and_arrows_do_nothing(
    page, live_server, login, staff, intake
):
    login(page, staff)
    open_section(page, live_server, intake, "medical-history")
    group = page.locator("fieldset:focus")  # the first question not answered
    expect(group).to_have_count(1)
    question = group.locator("input[type=radio]").first.get_attribute("name")

    for key in ("ArrowDown", "ArrowUp", "ArrowLeft", "ArrowRight", " "):
        page.keyboard.press(key)  # a stray key on the group changes no answer
    assert checked(page) == []

    page.keyboard.press("n")
    assert checked(page) == [f"{question}=no"]
    assert focused_option(page) == f"{question}=no"  # now in the group, on "No"
    leave(page)


def test_the_same_letter_again_cycles_and_more_letters_narrow_the_choice(
    page, live_server, login, staff, intake
):
    login(page, staff)
    open_section(page, live_server, intake, "medical-history")
    page.keyboard.press("Tab")
    question = focused_option(page).split("=")[0]

    page.keyboard.press("n")  # "No"
    page.keyboard.press("n")  # on to "Not answered", the next option starting "n"
    assert focused_option(page) == f"{question}="
    page.wait_for_timeout(1_000)  # a pause starts a new prefix
    page.keyboard.type("no")  # "No" (still the first match of "no")
    assert checked(page) == [f"{question}=no"]
    page.keyboard.press("t")  # "not": "Not answered"
    assert focused_option(page) == f"{question}="
    assert checked(page) == []
    leave(page)


def test_a_scale_answer_is_chosen_by_its_score_shown_in_its_label(
    page, live_server, login, staff, intake
):
    login(page, staff)
    open_section(page, live_server, intake, "scales")
    page.locator("input[name=phq9_given][value=yes]").check()  # the scale was given
    first_item = page.locator("input[name=phq9_1]").first
    first_item.focus()

    page.keyboard.press("2")

    assert checked(page) == ["phq9_given=yes", "phq9_1=2"]
    assert focused_option(page) == "phq9_1=2"
    expect(page.get_by_label("2 \u2014 More than half the days").first).to_be_checked()
    leave(page)


def test_other_keys_keep_their_own_behaviour_and_no_answer_moves_on(
    page, live_server, login, staff, intake
):
    login(page, staff)
    open_section(page, live_server, intake, "medical-history")
    page.keyboard.press("Tab")
    question = focused_option(page).split("=")[0]

    page.keyboard.press("x")  # no answer starts with "x": nothing happens
    page.keyboard.press("Control+n")
    assert checked(page) == []
    page.keyboard.press("n")
    page.keyboard.press("ArrowRight")  # the browser's own: "No" to "Not answered"
    assert focused_option(page) == f"{question}="
    assert checked(page) == []
    page.keyboard.press("Tab")  # on to the next question only by Tab
    assert not focused_option(page).startswith(question + "=")
    leave(page)
