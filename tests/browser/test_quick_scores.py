"""Quick entry of symptom scales from a paper form (static/js/quick_scores.js, #16):
one box per scale takes the item scores in order and checks the answers below as they
are typed; the answers are what the form saves."""

import pytest
from playwright.sync_api import Page, expect

from tests.browser.section_pages import leave, open_section

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHQ9_BOX = "PHQ-9: 9 scores, 0\u20133 each"
GAD7_BOX = "GAD-7: 7 scores, 0\u20133 each"


def answers(page: Page, scale: str) -> list[str]:
    """Each item's checked answer in order, "" for "Not answered"."""
    count = {"phq9": 9, "gad7": 7}[scale]
    return [
        page.locator(f"input[name={scale}_{n}]:checked").get_attribute("value")
        for n in range(1, count + 1)
    ]


def given(page: Page, scale: str) -> str:
    return page.locator(f"input[name={scale}_given]:checked").get_attribute("value")


def type_digits(page: Page, text: str) -> None:
    for character in text:
        page.keyboard.type(character)


def test_the_scores_typed_in_a_box_check_the_answers_and_are_what_is_saved(
    page, live_server, login, staff, intake
):
    login(page, staff)
    open_section(page, live_server, intake, "scales")
    phq9 = page.get_by_label(PHQ9_BOX)
    # No PHQ-9 item answered yet: the page puts the focus on its box.
    expect(phq9).to_be_focused()

    type_digits(page, "3 3 2 2 2 3 2 1 1")
    assert answers(page, "phq9") == ["3", "3", "2", "2", "2", "3", "2", "1", "1"]
    expect(phq9).to_be_focused()  # typing never moves the focus on
    expect(page.locator("#quick-phq9-status")).to_have_text(
        "9 of 9 items answered, total 19."
    )

    page.keyboard.press("Tab")
    gad7 = page.get_by_label(GAD7_BOX)
    expect(gad7).to_be_focused()
    assert given(page, "gad7") == ""  # Not administered
    type_digits(page, "2221122")
    assert given(page, "gad7") == "yes"  # its first digit marked it Administered
    assert answers(page, "gad7") == ["2", "2", "2", "1", "1", "2", "2"]

    with page.expect_navigation():
        page.keyboard.press("Enter")
    scales = intake.sections.get(kind="scales")
    assert scales.data["phq9"] == [3, 3, 2, 2, 2, 3, 2, 1, 1]
    assert scales.data["gad7"] == [2, 2, 2, 1, 1, 2, 2]


def test_a_digit_out_of_range_is_said_beside_the_box_and_answers_nothing(
    page, live_server, login, staff, intake
):
    login(page, staff)
    open_section(page, live_server, intake, "scales")
    type_digits(page, "3372")
    status = page.locator("#quick-phq9-status")
    expect(status).to_have_text(
        "Item 3: \u201c7\u201d is not a PHQ-9 score (0\u20133), so it is not answered."
        " 3 of 9 items answered, total 8 so far."
    )
    expect(page.get_by_label(PHQ9_BOX)).to_have_attribute("aria-invalid", "true")
    assert answers(page, "phq9")[:4] == ["3", "3", "", "2"]
    # What was typed stays in the box, to be corrected there.
    expect(page.get_by_label(PHQ9_BOX)).to_have_value("3372")

    page.keyboard.press("Backspace")
    page.keyboard.press("Backspace")
    page.keyboard.type("1")
    assert answers(page, "phq9")[:4] == ["3", "3", "1", ""]
    expect(status).to_have_text("3 of 9 items answered, total 7 so far.")
    leave(page)


def test_an_answer_changed_below_rewrites_the_box(
    page, live_server, login, staff, intake
):
    login(page, staff)
    open_section(page, live_server, intake, "scales")
    box = page.get_by_label(PHQ9_BOX)
    type_digits(page, "3322")
    page.locator("input[name=phq9_2][value='0']").check()
    expect(box).to_have_value("3022")
    page.locator("input[name=phq9_3][value='']").check()  # back to "Not answered"
    expect(box).to_have_value("30")  # the scores up to the first not answered
    leave(page)


def test_the_boxes_show_the_saved_answers_when_the_page_opens_again(
    page, live_server, login, staff, intake
):
    login(page, staff)
    open_section(page, live_server, intake, "scales")
    type_digits(page, "012")
    with page.expect_navigation():
        page.get_by_role("button", name="Save symptom scales").click()
    open_section(page, live_server, intake, "scales")
    box = page.get_by_label(PHQ9_BOX)
    expect(box).to_have_value("012")
    # Some PHQ-9 items have answers: the page focuses the first one not answered.
    expect(box).not_to_be_focused()
    leave(page)
