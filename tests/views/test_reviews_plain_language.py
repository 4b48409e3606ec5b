"""The flagged summary in words for clinicians (issue #15, finding 4)."""

import re

import pytest
from django.urls import reverse

from screening.services import drafts
from tests.factories import screened_intake
from tests.services.review_documents import REALISTIC


@pytest.fixture
def intake(clinic, intake_staff):
    # 52 years old, BP 152/94, lorazepam 2 mg/day, an MI in January, no
    # revascularisation (checklist default "all false").
    return screened_intake(clinic, REALISTIC, by=intake_staff)


def words(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def summary_html(client, intake) -> str:
    response = client.get(reverse("screening:review-summary", args=[intake.pk]))
    return response.content.decode()


def summary_text(client, intake) -> str:
    return words(summary_html(client, intake))


def flag_text(page: str, title: str) -> str:
    """The text of one flag's details: its evidence table, rule lines and state."""
    for details in re.findall(r"<details .*?</details>", page, flags=re.S):
        if f'<span class="flag-title">{title}</span>' in details:
            return words(details.split("</summary>", 1)[1])
    raise AssertionError(f"no flag titled {title!r}")


def test_it_shows_the_threshold_in_words_not_as_the_rule_s_condition(client_as, intake):
    page = summary_html(client_as("clinician"), intake)

    bp = flag_text(page, "Blood pressure above 140/90 mmHg")
    assert (
        "Flagged when: BP above 140/90 (150/90 from age 65 under the EU guide, if the "
        "clinic uses it); not when the severe-BP flag fires" in bp
    )
    assert "vitals.bp_systolic" not in page
    assert "demographics.age &gt;= 65" not in page
    assert "diazepam_equivalent_exact" not in page


def test_it_shows_the_settings_a_flag_read_in_words(client_as, intake):
    page = summary_text(client_as("clinician"), intake)

    assert "Clinic settings: Lorazepam 1 mg = diazepam 10 mg" in page
    assert "TRD failure: less than 50 % improvement" in page
    assert "BP guide: US at every age (above 140/90)" in page
    assert "{'lorazepam': 1}" not in page
    assert "lt50" not in page


def test_it_says_why_a_derived_value_is_not_computable(client_as, intake):
    page = summary_text(client_as("clinician"), intake)

    assert "Days since revascularisation no revascularisation recorded" in page
    assert "not computable" not in page


def test_it_prints_a_source_s_year_once(client_as, intake):
    page = summary_text(client_as("clinician"), intake)

    assert (
        "Source: SPRAVATO (esketamine) nasal spray, US Prescribing Information, "
        "Janssen (current SPL 2026), §5.6" in page
    )
    assert "(current SPL 2026) (2019)" not in page
    assert "Source: Andrashko V et al." in page
    assert "(2020), abstract" in page


def test_it_keeps_the_condition_on_the_rule_admin_s_pages(client_as, clinic):
    draft = drafts.do_create_draft(clinic, by=None)
    response = client_as("rule_admin").get(
        reverse("screening:ruleset-detail", args=[draft.pk])
    )

    page = response.content.decode()
    assert "vitals.bp_systolic &gt; 140" in page
    assert "In words: BP above 140/90" in page


def test_it_lists_only_the_answers_that_decided_a_flag(client_as, intake):
    page = summary_html(client_as("clinician"), intake)

    bp = flag_text(page, "Blood pressure above 140/90 mmHg")
    assert "Systolic blood pressure 152" in bp
    assert "Diastolic blood pressure 94" in bp
    # 52 years old under the US guide: the age did not decide this flag.
    assert "Age (whole years on the intake date)" not in bp


def test_it_leaves_off_c_ssrs_questions_that_were_not_asked(client_as, intake):
    page = summary_html(client_as("clinician"), intake)

    low = flag_text(page, "C-SSRS low risk")
    assert "C-SSRS q1: Wish to be dead (past month) Yes" in low
    assert "C-SSRS q2: Active suicidal thoughts (past month) No" in low
    assert "C-SSRS q3" not in low
    assert "C-SSRS q6 within 3 months" not in low
