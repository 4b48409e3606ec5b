import pytest
from django.urls import reverse

from screening.models import Intake, SignOff
from screening.services import reviews
from tests.browser.test_review import PASSWORD, next_code
from tests.factories import (
    MembershipFactory,
    TOTPDeviceFactory,
    UserFactory,
    screened_intake,
)
from tests.services.review_documents import REALISTIC


def clinician_with_device(clinic, username: str):
    user = UserFactory(username=username)
    MembershipFactory(user=user, clinic=clinic, role="clinician")
    return user, TOTPDeviceFactory(user=user)


def reviewed_as_not_suitable(intake: Intake, by) -> None:
    for kind, item in reviews.review_items(intake.current_screening):
        reason = "reviewed_will_monitor" if kind == "flag" else "records_unavailable"
        reviews.do_acknowledge(
            intake,
            kind=kind,
            rule_code=item["code"],
            reason_code=reason,
            note="",
            by=by,
        )
    reviews.do_set_disposition(
        intake,
        decision="not_suitable",
        rationale="Myocardial infarction four months ago.",
        by=by,
    )


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_it_refuses_a_sign_off_after_another_clinician_changed_the_disposition__f1(
    live_server, page, browser, login, clinic
):
    first, first_device = clinician_with_device(clinic, "dr-first")
    second, second_device = clinician_with_device(clinic, "dr-second")
    intake = screened_intake(clinic, REALISTIC)
    reviewed_as_not_suitable(intake, first)
    summary_url = live_server.url + reverse(
        "screening:review-summary", args=[intake.pk]
    )
    problems: list[str] = []
    # The refusals answer 409 and 400 on purpose; any other console error is a fault.
    expected = ("status of 409 (Conflict)", "status of 400 (Bad Request)")
    page.on(
        "console",
        lambda m: (
            problems.append(m.text)
            if m.type == "error" and not m.text.endswith(expected)
            else None
        ),
    )

    # The first clinician opens the summary and keeps it open.
    login(page, first, first_device)
    page.goto(summary_url)
    assert page.get_by_text("Not suitable at this time").first.is_visible()

    # Meanwhile the second clinician changes the disposition to "proceed".
    other = browser.new_context()
    second_page = other.new_page()
    login(second_page, second, second_device)
    second_page.goto(summary_url)
    second_page.get_by_label("Proceed to clinical evaluation").check()
    second_page.get_by_label("Rationale").fill("Cardiology cleared the patient.")
    with second_page.expect_navigation():
        second_page.get_by_role("button", name="Save disposition").click()
    other.close()

    # The first clinician signs from the page they kept: refused, with the changes.
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_label("Current code from your authenticator app").fill(
        next_code(first_device)
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Sign off").click()
    heading = page.get_by_role("heading", level=1)
    assert "This summary changed since you opened it" in heading.inner_text()
    changes = page.locator("main").inner_text()
    assert "Not suitable at this time" in changes
    assert "Proceed to clinical evaluation" in changes
    assert "recorded by dr-second" in changes
    assert not SignOff.objects.exists()

    # Back on the summary, the other clinician's disposition must be confirmed.
    with page.expect_navigation():
        page.get_by_role("link", name="Review the summary again").click()
    assert "recorded by dr-second, not by you" in page.locator("#sign-off").inner_text()
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_label("Current code from your authenticator app").fill(
        next_code(first_device)
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Sign off").click()
    assert "Confirm that you sign the disposition dr-second recorded" in (
        page.locator("#sign-off").inner_text()
    )
    assert not SignOff.objects.exists()

    page.get_by_label("I have read the disposition dr-second recorded").check()
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_label("Current code from your authenticator app").fill(
        next_code(first_device)
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Sign off").click()
    assert "Signed by dr-first at" in page.locator(".banner-signed").inner_text()
    signoff = SignOff.objects.get(intake=intake)
    assert signoff.signer == first
    assert reviews.verify_signoffs() == []
    assert problems == []
