"""Template tags of the clinicians' worklist: the cells of a row."""

from datetime import date, datetime
from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe
from django.utils.timesince import timesince

from screening.links import pk_url
from screening.markup import html, html_join
from screening.templatetags.screening_tags import outcome_text

register = template.Library()

_CELLS = (
    '<td data-label="MRN">{}</td>\n'
    '<td class="text-nowrap" data-label="Born">{}</td>\n'
    '<td class="text-nowrap" data-label="Intake">{}</td>\n'
    '<td data-label="Outcome">{}</td>\n'
    '<td data-label="Flags">{}</td>\n'
    '<td data-label="Waiting">{}</td>\n'
    '<td data-label="Status">{}</td>'
)
_URGENT_BADGE = mark_safe('<span class="badge urgent-marker">Urgent</span>\n')
_SEVERITIES = (
    ("absolute_count", "absolute"),
    ("relative_count", "relative"),
    ("caution_count", "caution"),
)


@register.simple_tag
def worklist_row(intake: Any, now: datetime) -> SafeString:
    """A row of the worklist's main list: the patient's name linking to the flagged
    summary (an urgent marker first when the intake has one), then its cells.

    One tag per row rather than the row's markup in the template: the 25 rows'
    variables, `{% with %}` and `{% url %}` were most of the page's rendering (#19).
    """
    urgent = intake.is_urgent
    patient = intake.patient
    return html(
        '<tr class="worklist-row{}" data-intake="{}">\n<td>\n{}'
        '<a href="{}">{}<span class="visually-hidden">, MRN {}</span></a>\n</td>\n'
        "{}\n</tr>",
        " worklist-urgent" if urgent else "",
        intake.pk,
        _URGENT_BADGE if urgent else "",
        pk_url("screening:review-summary", intake.pk),
        patient.display_name,
        patient.mrn,
        worklist_cells(intake, intake.current_screening, now),
    )


@register.simple_tag
def worklist_cells(intake: Any, screening: Any, now: datetime) -> SafeString:
    """A worklist row's cells after the patient's name, escaped by markup.html.

    Written here, not as a template included per row with a dozen filters: the
    worklist's 25 to 50 rows were most of its rendering (#19). `screening` is the
    intake's current screening (None: not screened); `now` the page's time.
    """
    patient = intake.patient
    return html(
        _CELLS,
        patient.mrn,
        _day(patient.date_of_birth) or "not recorded",
        _day(intake.intake_on),
        _outcome(screening),
        _flags(screening) if screening else "",
        timesince(intake.created_at, now),
        intake.get_status_display(),
    )


def _day(value: date | None) -> str:
    """A date as the date filter writes "Y-m-d" (empty for none)."""
    return value.isoformat() if value else ""


def _outcome(screening: Any) -> SafeString | str:
    if not screening:
        return "Not screened"
    return html(
        '<span class="badge worklist-outcome worklist-outcome-{}"'
        ' data-outcome="{}">{}</span>',
        screening.outcome,
        screening.outcome,
        outcome_text(screening.outcome),
    )


def _flags(screening: Any) -> SafeString:
    """A badge per severity with flags, then the rules not evaluable; else "none"."""
    badges = html_join(
        "\n",
        '<span class="badge worklist-severity worklist-severity-{}">{} {}</span>',
        (
            (name, getattr(screening, count), name)
            for count, name in _SEVERITIES
            if getattr(screening, count)
        ),
    )
    if screening.not_evaluable_count:
        not_evaluable = html(
            '<span class="small text-nowrap">{} not evaluable</span>',
            screening.not_evaluable_count,
        )
        return html("{}\n{}", badges, not_evaluable) if badges else not_evaluable
    return badges or mark_safe('<span class="small">none</span>')
