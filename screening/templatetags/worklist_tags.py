"""Template tags of the clinicians' worklist: the cells of a row."""

import functools
from collections.abc import Iterable
from datetime import date, datetime
from html import escape
from typing import Any

from django import template
from django.utils.html import avoid_wrapping
from django.utils.safestring import SafeString, mark_safe
from django.utils.timesince import MONTHS_DAYS, TIME_STRINGS, TIME_STRINGS_KEYS
from django.utils.translation import get_language, gettext

from screening.links import pk_url
from screening.markup import html
from screening.models import Intake
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
_ROW = (
    '<tr class="worklist-row{}" data-intake="{}">\n<td>\n{}'
    '<a href="{}">{}<span class="visually-hidden">, MRN {}</span></a>\n</td>\n'
    "{}\n</tr>"
)
_URGENT_BADGE = '<span class="badge urgent-marker">Urgent</span>\n'
_SEVERITIES = ("absolute", "relative", "caution")
# The status column's words; the labels are plain text (get_status_display's).
_STATUSES = dict(Intake.Status.choices)
# Weeks, days, hours and minutes in seconds, as timesince counts them.
_CHUNKS = (7 * 24 * 3600, 24 * 3600, 3600, 60)


@register.simple_tag
def worklist_rows(intakes: Iterable[Any], now: datetime) -> SafeString:
    """The main list's rows, one worklist_row each, between them the whitespace the
    template's loop wrote (the same markup to the byte): one tag for the 25 rows, not
    a loop and a tag per row (#19), as the patient list's patient_rows."""
    return SafeString(ROW_GAP.join(worklist_row(intake, now) for intake in intakes))


# The whitespace between two rows as `{% for %}` in the template wrote it.
ROW_GAP = "\n          \n            "


@register.simple_tag
def worklist_row(intake: Any, now: datetime) -> SafeString:
    """A row of the worklist's main list: the patient's name linking to the flagged
    summary (an urgent marker first when the intake has one), then its cells.

    One tag per row rather than the row's markup in the template: the 25 rows'
    variables, `{% with %}` and `{% url %}` were most of the page's rendering (#19).
    Only text is escaped: keys, dates and the markup written here are not (#19).
    """
    urgent = intake.is_urgent
    patient = intake.patient
    mrn = escape(patient.mrn)
    return SafeString(
        _ROW.format(
            " worklist-urgent" if urgent else "",
            int(intake.pk),
            _URGENT_BADGE if urgent else "",
            pk_url("screening:review-summary", intake.pk),
            escape(patient.display_name),
            mrn,
            _cells(intake, intake.current_screening, now, mrn),
        )
    )


@register.simple_tag
def worklist_cells(intake: Any, screening: Any, now: datetime) -> SafeString:
    """A worklist row's cells after the patient's name, the text escaped.

    Written here, not as a template included per row with a dozen filters: the
    worklist's 25 to 50 rows were most of its rendering (#19). `screening` is the
    intake's current screening (None: not screened); `now` the page's time.
    """
    return SafeString(_cells(intake, screening, now, escape(intake.patient.mrn)))


def _cells(intake: Any, screening: Any, now: datetime, mrn: str) -> str:
    born = intake.patient.date_of_birth
    if screening:
        outcome = _outcome(screening.outcome)
        flags = _flags(
            screening.absolute_count,
            screening.relative_count,
            screening.caution_count,
            screening.not_evaluable_count,
        )
    else:
        outcome, flags = "Not screened", ""
    return _CELLS.format(
        mrn,
        born.isoformat() if born else "not recorded",
        _day(intake.intake_on),
        outcome,
        flags,
        escape(waiting(intake.created_at, now)),
        escape(_STATUSES.get(intake.status, intake.status)),
    )


def _day(value: date | None) -> str:
    """A date as the date filter writes "Y-m-d" (empty for none)."""
    return value.isoformat() if value else ""


@functools.cache
def _outcome(outcome: str) -> str:
    # One badge per outcome, written once per process (#19): the outcomes are few.
    return html(
        '<span class="badge worklist-outcome worklist-outcome-{}"'
        ' data-outcome="{}">{}</span>',
        outcome,
        outcome,
        outcome_text(outcome),
    )


@functools.lru_cache(maxsize=1024)
def _flags(absolute: int, relative: int, caution: int, not_evaluable: int) -> str:
    """A badge per severity with flags, then the rules not evaluable; else "none".
    Kept by the four counts (#19): a page's rows share a few of them."""
    badges = "\n".join(
        html(
            '<span class="badge worklist-severity worklist-severity-{}">{} {}</span>',
            name,
            count,
            name,
        )
        for name, count in zip(_SEVERITIES, (absolute, relative, caution), strict=True)
        if count
    )
    if not_evaluable:
        not_evaluable_text = html(
            '<span class="small text-nowrap">{} not evaluable</span>', not_evaluable
        )
        return f"{badges}\n{not_evaluable_text}" if badges else not_evaluable_text
    return badges or mark_safe('<span class="small">none</span>')


def waiting(since: datetime, now: datetime) -> str:
    """timesince(since, now) of two aware datetimes: the same words, for a fifth of
    its Python calls (#19: it was a third of a worklist row). The units are counted as
    Django counts them (tests/templatetags/test_worklist_tags.py compares the two);
    the words are written once per language and count."""
    now = now.astimezone(since.tzinfo)
    delta = now - since
    if delta.days * 86400 + delta.seconds <= 0:  # microseconds ignored
        return _words(get_language(), 5, 0, 0)
    months = (now.year - since.year) * 12 + (now.month - since.month)
    if since.day > now.day or (since.day == now.day and since.time() > now.time()):
        months -= 1
    years, months = divmod(months, 12)
    pivot = since
    if years or months:
        pivot_year, pivot_month = since.year + years, since.month + months
        if pivot_month > 12:
            pivot_month -= 12
            pivot_year += 1
        pivot = since.replace(
            year=pivot_year,
            month=pivot_month,
            day=min(MONTHS_DAYS[pivot_month - 1], since.day),
            microsecond=0,
        )
    remaining = (now - pivot).total_seconds()
    parts = [years, months]
    for chunk in _CHUNKS:
        count = int(remaining // chunk)
        parts.append(count)
        remaining -= chunk * count
    for index, value in enumerate(parts):
        if value:
            following = parts[index + 1] if index < 5 else 0
            return _words(get_language(), index, value, following)
    return _words(get_language(), 5, 0, 0)


@functools.lru_cache(maxsize=4096)
def _words(language: str | None, index: int, first: int, second: int) -> str:
    """The words of one or two adjacent units, from the index of the first, as
    timesince writes them in the active language (`language` keys the cache)."""
    units = [avoid_wrapping(TIME_STRINGS[TIME_STRINGS_KEYS[index]] % {"num": first})]
    if second:
        next_unit = TIME_STRINGS[TIME_STRINGS_KEYS[index + 1]]
        units.append(avoid_wrapping(next_unit % {"num": second}))
    return gettext(", ").join(units)
