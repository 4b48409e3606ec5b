"""Scores as trends (#18): totals over the patient's signed intakes, as SVG."""

import copy
import datetime
import io
import re
import xml.etree.ElementTree as ET

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pypdf import PdfReader

from screening import pdf, questionnaire, trends
from screening.models import SelfReport, SelfReportAnswer
from screening.review_summary import build_summary
from tests.factories import PatientFactory, screened_intake
from tests.services.review_documents import realistic
from tests.services.test_reviews import fresh, signed

SVG = "{http://www.w3.org/2000/svg}"
PHQ9_17 = [3, 3, 2, 2, 1, 2, 2, 1, 1]  # 17, moderately severe
PHQ9_11 = [2, 2, 1, 1, 1, 1, 1, 1, 1]  # 11, moderate
PHQ9_6 = [1, 1, 1, 1, 0, 1, 1, 0, 0]  # 6, mild


def visit(patient, by, on: str, phq9: list[int]):
    document = realistic()
    document["intake_date"] = on
    document["scales"] = {**copy.deepcopy(document["scales"]), "phq9": phq9}
    return screened_intake(patient.clinic, document, by=by, patient=patient)


@pytest.fixture
def patient(clinic, intake_staff):
    return PatientFactory(clinic=clinic, created_by=intake_staff)


def charts(html: str) -> dict[str, ET.Element]:
    """Each trend's <svg>, parsed as XML, by instrument."""
    found = {}
    for key, svg in re.findall(r'data-trend="(\w+)">.*?(<svg .*?</svg>)', html, re.S):
        found[key] = ET.fromstring(svg)  # noqa: S314 - our own template's output
    return found


def summary_html(intake) -> str:
    return render_to_string(
        "screening/reviews/_trends.html", {"summary": build_summary(fresh(intake))}
    )


def test_it_says_the_change_in_words():
    phq9 = questionnaire.instrument("PHQ9")
    points = [
        trends.Point(datetime.date(2026, 3, 2), 19, "moderately_severe"),
        trends.Point(datetime.date(2026, 9, 1), 11, "moderate"),
    ]
    assert trends.change_words(phq9, points) == (
        "PHQ-9 19 \u2192 11, \u22128, from moderately severe to moderate"
    )
    # The rule book gives PHQ-9 no response or remission number: no marker.
    assert trends.markers(phq9, points) == []


@pytest.mark.parametrize(
    ("before", "after", "marker"),
    [
        (40, 36, "Less than a reliable change (5 points"),
        (40, 35, "A reliable change (5 points or more"),
        (40, 30, "A clinically meaningful change (10 points or more"),
    ],
)
def test_it_marks_pcl5_change_by_the_rule_book_numbers(before, after, marker):
    pcl5 = questionnaire.instrument("PCL5")
    points = [
        trends.Point(datetime.date(2026, 3, 2), before, "probable_ptsd"),
        trends.Point(datetime.date(2026, 9, 1), after, "probable_ptsd"),
    ]
    (found,) = trends.markers(pcl5, points)
    assert found.startswith(marker)


def test_it_marks_madrs_remission_at_10_or_less():
    madrs = questionnaire.instrument("MADRS")
    points = [
        trends.Point(datetime.date(2026, 3, 2), 28, "moderate"),
        trends.Point(datetime.date(2026, 9, 1), 10, "mild"),
    ]
    assert trends.markers(madrs, points) == [
        "In remission by this scale (10 or less, rule book \u00a78)."
    ]
    drawn = trends.chart(madrs, points)
    assert drawn.remission == {"y": 112.0, "text": "remission \u2264 10"}


def test_it_trends_every_instrument_with_a_total_but_the_cssrs():
    keys = [each.key for each in trends.trended_instruments()]
    assert keys == ["PHQ9", "GAD7", "PCL5", "MADRS", "AUDITC", "DAST10"]


def test_the_chart_is_svg_with_the_bands_shaded_and_a_point_per_total(
    patient, intake_staff, clinician
):
    signed(visit(patient, intake_staff, "2026-03-02", PHQ9_17), clinician)
    second = visit(patient, intake_staff, "2026-09-01", PHQ9_11)

    svg = charts(summary_html(second))["phq9"]

    bands = svg.findall(f"{SVG}rect")
    assert [b.get("data-band") for b in bands] == [
        "minimal",
        "mild",
        "moderate",
        "moderately severe",
        "severe",
    ]
    circles = svg.findall(f"{SVG}circle")
    assert [int(c.get("data-total")) for c in circles] == [17, 11]
    # Higher totals sit higher on the chart (a smaller y).
    assert float(circles[0].get("cy")) < float(circles[1].get("cy"))
    # The unsigned intake shown is drawn hollow.
    assert [c.get("fill") for c in circles] == ["#0b3d91", "#ffffff"]
    assert "style=" not in summary_html(second)  # CSP: no style attributes
    title = svg.find(f"{SVG}title").text
    assert title == (
        "PHQ-9 totals over time: PHQ-9 17 \u2192 11, \u22126, from moderately "
        "severe to moderate"
    )


def test_the_text_table_beside_the_chart_holds_the_same_totals(
    patient, intake_staff, clinician
):
    signed(visit(patient, intake_staff, "2026-03-02", PHQ9_17), clinician)
    second = visit(patient, intake_staff, "2026-09-01", PHQ9_11)
    html = summary_html(second)
    table = html[html.index('data-trend="phq9"') :].split("</table>")[0]
    rows = re.findall(r"<tr><td>(.*?)</td><td>(\d+)</td><td>(.*?)</td></tr>", table)
    assert rows == [
        ("2026-03-02", "17", "moderately severe"),
        ("2026-09-01 (this intake, not signed)", "11", "moderate"),
    ]


def test_there_is_no_trend_at_a_first_visit(patient, intake_staff):
    first = visit(patient, intake_staff, "2026-03-02", PHQ9_17)
    assert build_summary(fresh(first)).trends == []


def test_a_signed_summary_ignores_later_intakes(patient, intake_staff, clinician):
    signed(visit(patient, intake_staff, "2026-03-02", PHQ9_17), clinician)
    second = visit(patient, intake_staff, "2026-09-01", PHQ9_11)
    signed(second, clinician)
    before = summary_html(second)
    # A later visit, and an earlier one signed only afterwards (typed in late).
    signed(visit(patient, intake_staff, "2026-11-20", PHQ9_6), clinician)
    signed(visit(patient, intake_staff, "2026-06-01", PHQ9_6), clinician)

    assert summary_html(second) == before
    circles = charts(before)["phq9"].findall(f"{SVG}circle")
    assert [int(c.get("data-total")) for c in circles] == [17, 11]


def test_it_reads_the_totals_the_clinician_signed(patient, intake_staff, clinician):
    first = visit(patient, intake_staff, "2026-03-02", PHQ9_17)
    signed(first, clinician)
    second = visit(patient, intake_staff, "2026-09-01", PHQ9_11)
    (phq9,) = [t for t in build_summary(fresh(second)).trends if t.key == "PHQ9"]
    assert [(p.on.isoformat(), p.total, p.is_signed) for p in phq9.points] == [
        ("2026-03-02", 17, True),
        ("2026-09-01", 11, False),
    ]


def test_the_trend_renders_in_the_pdf(patient, intake_staff, clinician):
    signed(visit(patient, intake_staff, "2026-03-02", PHQ9_17), clinician)
    second = visit(patient, intake_staff, "2026-09-01", PHQ9_11)
    document = pdf.render_summary_pdf(build_summary(fresh(second)))
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(document)).pages)
    words = " ".join(text.split())
    assert "PHQ-9 17 \u2192 11" in words
    # The band names are drawn only in the chart: the SVG was drawn.
    assert "minimal" in words


# Finished self-reports (#17) are points of their own.


def self_report(intake, on: datetime.date, answers: dict, *, status="finished"):
    """A tablet session of `intake` finished at noon on `on`, with its answers."""
    at = timezone.make_aware(datetime.datetime.combine(on, datetime.time(12)))
    report = SelfReport.objects.create(
        clinic=intake.clinic,
        intake=intake,
        started_by=intake.created_by,
        code_sha256="0" * 64,
        status=status,
        started_at=at - datetime.timedelta(minutes=20),
        last_activity_at=at,
        finished_at=at,
    )
    for path, value in answers.items():
        SelfReportAnswer.objects.create(
            report=report, path=path, value=value, answered_at=at
        )
    return report


def phq9_answers(items: list[int]) -> dict[str, int]:
    return {f"scales.phq9[{n}]": value for n, value in enumerate(items)}


def table_rows(html: str, slug: str) -> list[tuple[str, str, str]]:
    table = html[html.index(f'data-trend="{slug}"') :].split("</table>")[0]
    return re.findall(r"<tr><td>(.*?)</td><td>(\d+)</td><td>(.*?)</td></tr>", table)


def test_a_finished_self_report_is_a_point_of_its_own(patient, intake_staff, clinician):
    signed(visit(patient, intake_staff, "2026-03-02", PHQ9_17), clinician)
    second = visit(patient, intake_staff, "2026-09-01", PHQ9_11)
    self_report(second, datetime.date(2026, 6, 15), phq9_answers(PHQ9_6))

    html = summary_html(second)

    assert table_rows(html, "phq9") == [
        ("2026-03-02", "17", "moderately severe"),
        ("2026-06-15 (self-report)", "6", "mild"),
        ("2026-09-01 (this intake, not signed)", "11", "moderate"),
    ]
    svg = charts(html)["phq9"]
    # The self-report is drawn as a square, the intakes as dots.
    squares = svg.findall(f"{SVG}path[@data-self-report='true']")
    assert [int(s.get("data-total")) for s in squares] == [6]
    circles = svg.findall(f"{SVG}circle")
    assert [int(c.get("data-total")) for c in circles] == [17, 11]
    # The point is a square around its place on the line, between the two visits.
    line = [
        tuple(map(float, p.split(",")))
        for p in svg.find(f"{SVG}polyline").get("points").split()
    ]
    assert squares[0].get("d") == f"M{line[1][0] - 4:g} {line[1][1] - 4:g}h8v8h-8z"
    assert line[0][0] < line[1][0] < line[2][0]


def test_self_reports_after_the_intake_shown_or_unfinished_are_left_out(
    patient, intake_staff, clinician
):
    signed(visit(patient, intake_staff, "2026-03-02", PHQ9_17), clinician)
    second = visit(patient, intake_staff, "2026-09-01", PHQ9_11)
    self_report(second, datetime.date(2026, 9, 2), phq9_answers(PHQ9_6))
    self_report(second, datetime.date(2026, 5, 1), phq9_answers(PHQ9_6), status="ended")

    (phq9,) = [t for t in build_summary(fresh(second)).trends if t.key == "PHQ9"]

    assert [(p.on.isoformat(), p.is_self_report) for p in phq9.points] == [
        ("2026-03-02", False),
        ("2026-09-01", False),
    ]


def test_a_signed_summary_ignores_self_reports_finished_after_its_sign_off(
    patient, intake_staff, clinician
):
    today = timezone.localdate()
    signed(visit(patient, intake_staff, "2026-03-02", PHQ9_17), clinician)
    second = visit(patient, intake_staff, today.isoformat(), PHQ9_11)
    signed(second, clinician)
    before = summary_html(second)

    # Finished on the intake's own date, but after it was signed.
    report = self_report(second, today, phq9_answers(PHQ9_6))
    SelfReport.objects.filter(pk=report.pk).update(
        finished_at=timezone.now() + datetime.timedelta(seconds=1)
    )

    assert summary_html(second) == before


def test_a_self_report_total_counts_skipped_audit_c_items_and_never_a_declined_one():
    audit_c = questionnaire.instrument("AUDITC")
    phq9 = questionnaire.instrument("PHQ9")
    q = "substance_use.audit_c."

    # "Never" on q1: q2 and q3 are not asked and count as their skip value, 0.
    assert trends.self_report_total(audit_c, {q + "q1": 0}) == 0
    answered = {q + "q1": 2, q + "q2": 1, q + "q3": 1}
    assert trends.self_report_total(audit_c, answered) == 4
    # "Prefer not to say" (stored as None): no total rather than a lower one.
    declined = phq9_answers(PHQ9_6) | {"scales.phq9[3]": None}
    assert trends.self_report_total(phq9, declined) is None
    # An instrument the session did not ask has no point.
    assert trends.self_report_total(phq9, {q + "q1": 0}) is None


def test_it_reads_the_visits_and_self_reports_in_three_statements(
    patient, intake_staff, clinician
):
    """Whatever the number of visits, self-reports and answers: whether there are
    any, their sign-offs, and the reports' answers with their reports (#19)."""
    signed(visit(patient, intake_staff, "2026-03-02", PHQ9_17), clinician)
    signed(visit(patient, intake_staff, "2026-05-02", PHQ9_11), clinician)
    second = visit(patient, intake_staff, "2026-09-01", PHQ9_11)
    self_report(second, datetime.date(2026, 6, 15), phq9_answers(PHQ9_6))
    self_report(second, datetime.date(2026, 7, 15), phq9_answers(PHQ9_17))
    shown = fresh(second)

    with CaptureQueriesContext(connection) as queries:
        found = trends.build_trends(shown, None)

    assert len(queries) == 3
    (phq9,) = [t for t in found if t.key == "PHQ9"]
    assert [p.total for p in phq9.points] == [17, 11, 6, 17, 11]


@pytest.mark.parametrize("reports", [False, True], ids=["visits", "self-reports"])
def test_it_reads_only_what_the_patient_has(patient, intake_staff, clinician, reports):
    first = visit(patient, intake_staff, "2026-03-02", PHQ9_17)
    if reports:
        self_report(first, datetime.date(2026, 2, 15), phq9_answers(PHQ9_6))
    else:
        signed(first, clinician)
    second = fresh(visit(patient, intake_staff, "2026-09-01", PHQ9_11))

    with CaptureQueriesContext(connection) as queries:
        found = trends.build_trends(second, None)

    assert len(queries) == 2  # whether there are any, then the one kind there is
    (phq9,) = [t for t in found if t.key == "PHQ9"]
    assert len(phq9.points) == 2


def test_it_reads_one_statement_at_a_first_visit(patient, intake_staff):
    first = fresh(visit(patient, intake_staff, "2026-03-02", PHQ9_17))

    with CaptureQueriesContext(connection) as queries:
        assert trends.build_trends(first, None) == []

    assert len(queries) == 1
