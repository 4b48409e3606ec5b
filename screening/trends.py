"""Scores as trends (#18): each instrument's total over the patient's signed intakes
and finished self-reports.

A trend holds the totals the clinician signed (each sign-off's own screening, never a
later re-screen) of the intakes dated up to the one shown. For a signed summary only
sign-offs made up to its own count, so a later visit, or a later addendum to an
earlier one, never changes what was signed. The chart is plain SVG geometry for the
template (no JavaScript; presentation attributes, no style attributes, so it passes
our CSP and WeasyPrint draws it); the table beside it carries the same numbers.

A finished self-report (#17) is a point of its own, dated the day it was finished and
scored from the patient's answers as given (what staff later kept may differ): only
those finished on or before the shown intake's date, and for a signed summary before
its sign-off.
"""

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final

from django.db import router
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from screening import compiled, questionnaire
from screening.engine.instruments import band_of
from screening.engine.vocabulary import summed_name
from screening.models import (
    Addendum,
    Intake,
    Patient,
    Screening,
    SelfReport,
    SelfReportAnswer,
    SignOff,
)
from screening.questionnaire.model import PATIENT, Instrument

# Band fills from the lightest (lowest band) to the most severe.
_FILLS: Final = ("#e3f1e4", "#f3f6d8", "#fdf1cf", "#fde0c2", "#f9cfcf")
# The chart's drawing box (SVG user units): plot area, then room for band names.
WIDTH, HEIGHT = 380, 160
_LEFT, _RIGHT, _TOP, _BOTTOM = 30, 270, 12, 132
_PAD = 14  # keeps the first and last point off the plot's edges
_MIN_BAND_LABEL = 10  # a band narrower than this is named in the table only


@dataclass(frozen=True)
class Point:
    """One total: the intake's date, the total and its band as signed (or, for a
    self-report, the day it was finished and the total of the patient's answers)."""

    on: date
    total: int
    band: str
    is_signed: bool = True
    is_self_report: bool = False

    @property
    def band_words(self) -> str:
        return band_words(self.band)


@dataclass(frozen=True)
class SelfReported:
    """A finished self-report: the day it was finished and its answers by path."""

    on: date
    answers: dict[str, Any]


@dataclass
class Chart:
    """Drawing instructions for one trend, in SVG user units."""

    bands: list[dict[str, Any]] = field(default_factory=list)
    points: list[dict[str, Any]] = field(default_factory=list)
    line: str = ""
    y_labels: list[dict[str, Any]] = field(default_factory=list)
    remission: dict[str, Any] | None = None
    width: int = WIDTH
    height: int = HEIGHT
    left: int = _LEFT
    right: int = _RIGHT
    top: int = _TOP
    bottom: int = _BOTTOM
    label_x: int = _RIGHT + 4
    date_y: int = _BOTTOM + 14


@dataclass
class Trend:
    """One instrument's totals over time, in words and as a chart."""

    key: str
    name: str
    points: list[Point]
    change: str
    markers: list[str]
    chart: Chart

    @property
    def slug(self) -> str:
        return self.key.lower()


def band_words(band: str) -> str:
    return band.replace("_", " ").replace("ptsd", "PTSD")


def total_key(instrument: Instrument) -> str:
    """The derived value (rule book §11) holding the instrument's total."""
    if instrument.scoring.method == "total_only":
        return instrument.items[0].name  # madrs_total
    if instrument.is_list:
        return f"{summed_name(instrument)}_total"  # phq9_total
    return f"{instrument.path.rsplit('.', 1)[-1]}_total"  # audit_c_total


def trended_instruments() -> list[Instrument]:
    """The instruments with a total: every scale but the C-SSRS (a risk band), the
    symptom scales first (what measurement-based care watches), then substance use."""
    totals = [
        each
        for each in questionnaire.instruments()
        if each.scoring.method in ("sum", "total_only")
    ]
    return sorted(totals, key=lambda each: not each.path.startswith("scales."))


def _band_of(instrument: Instrument, total: int, derived: dict[str, Any]) -> str:
    if len(instrument.bands) < 2:  # AUDIT-C: a cut-off by sex, no bands (§8.4)
        return ""
    stored = derived.get(total_key(instrument).replace("_total", "_band"))
    if isinstance(stored, str):
        return stored
    return next((name for top, name in instrument.bands if total <= top), "")


def _points(
    instrument: Instrument, visits: list[tuple[date, Screening, bool]]
) -> list[Point]:
    found = []
    for on, screening, is_signed in visits:
        derived = (screening.result or {}).get("derived") or {}
        total = derived.get(total_key(instrument))
        if isinstance(total, int) and not isinstance(total, bool):
            band = _band_of(instrument, total, derived)
            found.append(Point(on, total, band, is_signed))
    return found


def signoffs_query(patient_id: Any) -> QuerySet[SignOff]:
    """Every sign-off of the patient's intakes, oldest first, with the intake and the
    screening it signed."""
    return (
        SignOff.objects.filter(intake__patient_id=patient_id)
        .select_related("intake", "screening")
        .order_by("signed_at", "pk")
    )


def _signed_visits(
    intake: Intake, signoff: SignOff | None, signoffs: list[Any]
) -> list[tuple[date, Screening, bool]]:
    """The visits of the chart: the patient's signed intakes up to the one shown
    (at most one version per addendum chain) and the shown one itself. `signoffs`:
    every sign-off of the patient's (signoffs_query), compared by date here: a
    patient has one a visit."""
    latest: dict[int, SignOff] = {}
    for each in signoffs:
        if each.intake.intake_on > intake.intake_on:
            continue
        # What was signed stays as signed: later sign-offs are not part of it.
        if signoff is not None and each.signed_at > signoff.signed_at:
            continue
        latest[each.chain_root_id] = each  # the chain's version as of then
    own_chain = signoff.chain_root_id if signoff else _chain_root(intake)
    visits = [
        (each.intake.intake_on, each.screening, True)
        for root, each in latest.items()
        if root != own_chain
    ]
    if signoff is not None:
        visits.append((intake.intake_on, signoff.screening, True))
    elif intake.current_screening is not None:
        visits.append((intake.intake_on, intake.current_screening, False))
    return sorted(visits, key=lambda visit: visit[0])


def _chain_root(intake: Intake) -> int:
    if intake.amends_id is None:
        return intake.pk
    root = Addendum.objects.filter(intake=intake).values_list("root_id", flat=True)
    return root.first() or intake.pk


def _signed(number: int) -> str:
    # A typographic minus, as the clinician's paper charts write it.
    return f"\u2212{-number}" if number < 0 else (f"+{number}" if number else "\u00b10")


def change_words(instrument: Instrument, points: list[Point]) -> str:
    """The change in words: "PHQ-9 19 -> 11, minus 8, from moderately severe to
    moderate", with an arrow and a typographic minus."""
    first, last = points[0], points[-1]
    words = (
        f"{instrument.name} {first.total} \u2192 {last.total}, "
        f"{_signed(last.total - first.total)}"
    )
    if first.band and last.band:
        if first.band == last.band:
            words += f", staying {band_words(last.band)}"
        else:
            words += f", from {band_words(first.band)} to {band_words(last.band)}"
    return words


def markers(instrument: Instrument, points: list[Point]) -> list[str]:
    """Response and remission words, only where the rule book gives the number."""
    scoring, found = instrument.scoring, []
    change = abs(points[-1].total - points[0].total)
    if scoring.meaningful_change is not None and change >= scoring.meaningful_change:
        found.append(
            f"A clinically meaningful change ({scoring.meaningful_change} points or "
            "more, rule book \u00a78)."
        )
    elif scoring.reliable_change is not None and change >= scoring.reliable_change:
        found.append(
            f"A reliable change ({scoring.reliable_change} points or more, rule book "
            "\u00a78)."
        )
    elif scoring.reliable_change is not None:
        found.append(
            f"Less than a reliable change ({scoring.reliable_change} points, rule "
            "book \u00a78)."
        )
    remission = scoring.remission_at_most
    if remission is not None and points[-1].total <= remission:
        found.append(
            f"In remission by this scale ({remission} or less, rule book \u00a78)."
        )
    return found


def chart(instrument: Instrument, points: list[Point]) -> Chart:
    """The SVG geometry: bands shaded, the totals joined in date order."""
    top = instrument.bands[-1][0] if instrument.bands else max(p.total for p in points)
    top = max(top, 1)

    def y(value: float) -> float:
        return round(_BOTTOM - value / top * (_BOTTOM - _TOP), 1)

    drawn = Chart()
    bands = instrument.bands if len(instrument.bands) > 1 else ()
    low = 0
    for index, (high, name) in enumerate(bands):
        upper, lower = y(min(high + 1, top)), y(low)
        fill = _FILLS[round(index * (len(_FILLS) - 1) / max(len(bands) - 1, 1))]
        drawn.bands.append(
            {
                "x": _LEFT,
                "y": upper,
                "width": _RIGHT - _LEFT,
                "height": round(lower - upper, 1),
                "fill": fill,
                "label": band_words(name) if lower - upper >= _MIN_BAND_LABEL else "",
                "label_y": round((upper + lower) / 2 + 3, 1),
            }
        )
        low = high + 1
    first, last = points[0].on, points[-1].on
    span = (last - first).days
    for point in points:
        if span:
            x = (
                _LEFT
                + _PAD
                + (point.on - first).days / span * (_RIGHT - _LEFT - 2 * _PAD)
            )
        else:
            x = (_LEFT + _RIGHT) / 2
        # A self-report is a square (the same size as a dot) so it reads apart in
        # black and white and in the PDF.
        square = f"M{round(x - 4, 1)} {round(y(point.total) - 4, 1)}h8v8h-8z"
        drawn.points.append(
            {
                "square": square,
                "x": round(x, 1),
                "y": y(point.total),
                "label_y": y(point.total) - 8,
                "total": point.total,
                "on": point.on,
                "band": band_words(point.band),
                "is_signed": point.is_signed,
                "is_self_report": point.is_self_report,
            }
        )
    drawn.line = " ".join(f"{p['x']},{p['y']}" for p in drawn.points)
    drawn.y_labels = [{"y": y(0) + 3, "text": "0"}, {"y": y(top) + 3, "text": top}]
    remission = instrument.scoring.remission_at_most
    if remission is not None:
        drawn.remission = {"y": y(remission), "text": f"remission \u2264 {remission}"}
    return drawn


def self_report_answers_query(patient_id: Any) -> QuerySet[SelfReportAnswer]:
    """The answers of the patient's finished self-reports, each with its report's
    time, in the order the reports were finished."""
    return (
        SelfReportAnswer.objects.filter(
            report__intake__patient_id=patient_id,
            report__status=SelfReport.Status.FINISHED,
            report__finished_at__isnull=False,
        )
        .select_related("report")
        .only("path", "value", "report__finished_at")
        .order_by("report__finished_at", "report_id", "pk")
    )


def _self_reports(intake: Intake, signoff: SignOff | None) -> list[SelfReported]:
    """The patient's finished self-reports up to the shown intake's date (and, for a
    signed summary, finished before its sign-off: a later one never changes it)."""
    # One statement, compiled once, for the reports and their answers (#19): a
    # report without answers gives no total anyway.
    answers: list[Any] = compiled.rows(self_report_answers_query, intake.patient_id)
    reports: dict[int, SelfReported] = {}
    for answer in answers:
        finished_at = answer.report.finished_at
        if signoff is not None and finished_at > signoff.signed_at:
            continue
        on = timezone.localdate(finished_at)
        if on > intake.intake_on:
            continue
        report = reports.setdefault(answer.report_id, SelfReported(on, {}))
        report.answers[answer.path] = answer.value
    return list(reports.values())


def self_report_total(instrument: Instrument, answers: dict[str, Any]) -> int | None:
    """The instrument's total from the patient's answers (by path), None unless every
    item has a number (a declined item never gives a lower total, rule book §3). An
    item the patient was not asked after an earlier answer (AUDIT-C q2, q3 after
    "never") counts as its declared skip value."""
    if not any(instrument.item_path(n) in answers for n in range(instrument.length)):
        return None  # not part of this session
    total = 0
    for n, item in enumerate(instrument.items):
        path = instrument.item_path(n)
        value = answers.get(path, item.not_asked_value)
        if not isinstance(value, int) or isinstance(value, bool):
            return None
        total += value
    return total


def _self_report_points(
    instrument: Instrument, reports: list[SelfReported]
) -> list[Point]:
    if instrument.entry != PATIENT:
        return []
    found = []
    for report in reports:
        total = self_report_total(instrument, report.answers)
        if total is not None:
            band = band_of(total, instrument.bands) if len(instrument.bands) > 1 else ""
            found.append(
                Point(report.on, total, band, is_signed=False, is_self_report=True)
            )
    return found


@dataclass(frozen=True)
class Sources:
    """Whether the patient has any sign-off, and any finished self-report."""

    signoffs: bool
    self_reports: bool


def sources(patient_id: int) -> Sources:
    """What the trends can be drawn from: one short statement.

    At a patient's first visit there is neither, and each one's own statement (joined
    to the intakes, the screenings or the answers) cost more to plan and send than
    this costs to run (#19): they are read only when this says they have rows. The
    statement is compiled once per process (screening/compiled.py), as the worklist's
    open_lists() is.
    """
    row = compiled.first_row(
        sources_query,
        (compiled.PLACEHOLDER_PK,),
        (patient_id,),
        router.db_for_read(Patient),
    )
    return Sources(bool(row[0]), bool(row[1])) if row else Sources(False, False)


def sources_query(patient_id: Any) -> QuerySet[Any]:
    """The one declaration of sources()' statement: an EXISTS over the patient's
    sign-offs and one over their finished self-reports."""
    return (
        Patient.objects.filter(pk=patient_id)
        .order_by()
        .values_list(
            Exists(SignOff.objects.filter(intake__patient_id=OuterRef("pk"))),
            Exists(
                SelfReport.objects.filter(
                    intake__patient_id=OuterRef("pk"),
                    status=SelfReport.Status.FINISHED,
                    finished_at__isnull=False,
                )
            ),
        )
    )


def build_trends(intake: Intake, signoff: SignOff | None) -> list[Trend]:
    """Each instrument with totals at two points or more, for the summary and PDF."""
    # Each statement compiled once (screening/compiled.py), and sent only when the
    # patient has its rows: building them through the ORM cost more than running
    # them, on every summary (#19).
    found = sources(intake.patient_id)
    signoffs = (
        compiled.rows(signoffs_query, intake.patient_id) if found.signoffs else []
    )
    visits = _signed_visits(intake, signoff, signoffs)
    reports = _self_reports(intake, signoff) if found.self_reports else []
    if len(visits) + len(reports) < 2:
        return []
    trends = []
    for instrument in trended_instruments():
        # On one day the patient's own answers come before the intake staff keyed.
        points = sorted(
            _self_report_points(instrument, reports) + _points(instrument, visits),
            key=lambda point: (point.on, not point.is_self_report),
        )
        if len(points) < 2:
            continue
        trends.append(
            Trend(
                key=instrument.key,
                name=instrument.name,
                points=points,
                change=change_words(instrument, points),
                markers=markers(instrument, points),
                chart=chart(instrument, points),
            )
        )
    return trends
