"""The flagged summary as the clinician reads it, for the page and its PDF.

`build_summary()` reads everything the summary shows in a fixed number of queries,
whatever the number of flags, trials or versions, and turns the stored screening
(rule book §11) into rows with question labels, who entered each answer and when,
acknowledgements, derived scores, the TRD table and, once signed, the recomputed hashes.
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from screening import compiled, rule_text
from screening.engine.vocabulary import summed_lists, summed_name
from screening.forms.intakes import CLINICIAN_FORM, SECTION_FORMS
from screening.forms.sections import SectionForm
from screening.models import (
    Acknowledgement,
    ConsentRecord,
    Disposition,
    Intake,
    IntakeSection,
    MissingAnswerAcceptance,
    Screening,
    SectionRevision,
    SignOff,
)
from screening.models.intakes import sections_query
from screening.questionnaire.labels import answer_text, question_label
from screening.questionnaire.paths import parse_path
from screening.review_answers import Entry, diff_answers, entry_of, flatten
from screening.services import consent, documents, missing_data, reviews, urgent
from screening.services.review_hashes import ReviewState, get_review_state
from screening.services.signoff_verification import (
    Verification,
    patient_updates_of,
    verify_signoff,
)
from screening.trends import Trend, build_trends

SECTION_ORDER: Final = list(IntakeSection.Kind.values)
SEVERITY_GROUPS: Final = (
    ("absolute", "Absolute contraindications"),
    ("relative", "Relative contraindications"),
    ("caution", "Cautions"),
    ("info", "Information"),
)

OUTCOME_WORDS: Final = {
    "absolute_contraindication": "Absolute contraindication flagged",
    "needs_clinician_review": "Flags for the clinician to review",
    "no_flags": "No flags",
    "incomplete": "Screening incomplete - do not rely on it",
}

BAND_WORDS: Final = {
    "not_administered": "not administered",
    "incomplete": "incomplete (an item is unanswered)",
}

# (label, total key, band key) of the derived values shown with their bands (§11).
DERIVED_SCORES: Final = (
    ("PHQ-9", "phq9_total", "phq9_band"),
    ("PHQ-9 item 9", "phq9_item9", None),
    ("GAD-7", "gad7_total", "gad7_band"),
    ("PCL-5", "pcl5_total", "pcl5_band"),
    ("PCL-5 DSM-5 cluster rule met", "pcl5_dsm5_cluster_rule_met", None),
    ("AUDIT-C", "audit_c_total", "audit_c_positive"),
    ("DAST-10", "dast10_total", "dast10_band"),
    ("C-SSRS screener risk", "cssrs_risk", None),
    ("MADRS (clinician-entered)", "madrs_total", "madrs_band"),
    ("Days since myocardial infarction or ACS", "days_since_mi", None),
    ("Days since revascularisation", "days_since_revascularization", None),
    (
        "Months since SUD criteria last met",
        "months_since_sud_criteria_last_met",
        None,
    ),
    (
        "Benzodiazepines, diazepam equivalent (mg/day)",
        "diazepam_equivalent_mg_per_day",
        None,
    ),
    # A summed instrument declared later (screening/questionnaire/) shows as well.
    *(
        (each.name, f"{summed_name(each)}_total", f"{summed_name(each)}_band")
        for each in summed_lists()
        if each.key not in {"PHQ9", "GAD7", "PCL5", "DAST10"}
    ),
)

# The scores on the summary's first screen, with their bands; the rest under "Scores".
KEY_SCORES: Final = ("PHQ-9", "GAD-7", "C-SSRS screener risk", "AUDIT-C", "DAST-10")

TRD_VALUES: Final = (
    ("TRD definition applies (major depressive disorder)", "trd_rule_applicable"),
    ("Agents with an adequate failed trial", "adequate_failed_trials"),
    ("TRD met", "trd_met"),
    ("Thase-Rush stage", "thase_rush_stage"),
)

MISSING_REASON_WORDS: Final = {
    "declined": "patient declined",
    "unknown": "unknown",
    "not_asked": "not asked",
}

# Rule book §7.3: why a trial does or does not count as an adequate failure.
TRIAL_REASON_WORDS: Final = {
    "episode_unknown": "episode not recorded",
    "not_current_episode": "not in the current episode",
    "dose_judged_inadequate": "dose judged inadequate by the clinician",
    "drug_not_in_dose_table": "drug not in the dose table (needs an override)",
    "dose_unknown": "dose not recorded",
    "dose_below_minimum": "dose below the minimum adequate dose",
    "duration_unknown": "duration not recorded",
    "too_short": "too short at that dose",
    "adherence_unknown": "adherence not recorded",
    "adherence_below_minimum": "adherence below the minimum",
    "outcome_unknown": "outcome not recorded",
    "responded": "the patient responded",
    "intolerance_before_week_4": "stopped for intolerance before week 4",
    "stopped_for_intolerance": "stopped for intolerance",
    "improvement_unknown": "improvement not recorded",
    "improvement_above_threshold": "improvement above the threshold",
}


@dataclass
class AnswerLine:
    path: str
    label: str
    value: str
    missing_reason: str = ""
    entered: Entry | None = None


@dataclass
class ReviewItem:
    """A flag or a not-evaluable rule, with its acknowledgement."""

    kind: str
    code: str
    severity: str
    title: str
    lines: list[AnswerLine]
    acknowledgement: Acknowledgement | None
    is_pending: bool
    needs_answer: bool
    message: str = ""
    threshold: str | None = None
    threshold_text: str = ""
    settings: dict[str, Any] = field(default_factory=dict)
    source: dict[str, Any] = field(default_factory=dict)
    ruleset_version: str = ""
    is_urgent: bool = False
    form: Any = None

    @property
    def anchor(self) -> str:
        return f"{self.kind}-{self.code}"

    @property
    def is_missing_data(self) -> bool:
        return missing_data.is_missing_data_flag(self.code)

    @property
    def answer_words(self) -> str:
        """The answers that fired the flag, in words, for its one line."""
        if self.is_missing_data:
            return "Not answered: " + "; ".join(line.label for line in self.lines)
        return "; ".join(
            f"{line.label}: {line.value}"
            for line in self.lines
            if line.value != answer_text(line.path, None)
        )

    @property
    def reason_words(self) -> str:
        if self.acknowledgement is None:
            return ""
        choices = (
            Acknowledgement.FlagReason
            if self.kind == Acknowledgement.Kind.FLAG
            else Acknowledgement.UnknownReason
        )
        code = self.acknowledgement.reason_code
        if self.is_missing_data:
            # Written by accepting its answers as unknown: the §11 "unknown" reasons.
            choices = Acknowledgement.UnknownReason
        return str(dict(choices.choices).get(code, code))


@dataclass
class Version:
    """One version of the intake's chain: the original or an addendum."""

    intake: Intake
    signoff: SignOff | None
    reason: str
    is_current: bool


@dataclass
class ReviewSummary:
    intake: Intake
    screening: Screening | None
    state: ReviewState
    groups: list[tuple[str, str, list[ReviewItem]]]
    urgent: list[ReviewItem]
    not_evaluable: list[ReviewItem]
    derived: list[tuple[str, str]]
    trd_values: list[tuple[str, str]]
    trials: list[tuple[str, str, str]]
    versions: list[Version]
    missing: list["MissingItem"] = field(default_factory=list)
    key_scores: list[tuple[str, str]] = field(default_factory=list)
    signoff: SignOff | None = None
    verification: Verification | None = None
    # The sign page's hash of what it shows, and when it was read (issue 13 F1).
    page_sha256: str = ""
    opened_at: datetime | None = None
    comparison: dict[str, Any] | None = None
    answer_diff: list[tuple[str, str, str]] = field(default_factory=list)
    flag_diff: dict[str, Any] | None = None
    amends: Intake | None = None
    # Sections carried over from the last intake and not yet confirmed (#18).
    carry_pending: list[str] = field(default_factory=list)
    # Each instrument total over the patient's signed intakes (#18).
    trends: list[Trend] = field(default_factory=list)
    # The patient's consent for this intake, the newest record (#18).
    consent: ConsentRecord | None = None

    @property
    def needs_consent(self) -> bool:
        """A "proceed" is chosen but no consent is on record: it cannot be signed."""
        disposition = self.state.disposition
        return (
            self.consent is None
            and disposition is not None
            and disposition.decision == Disposition.Decision.PROCEED
        )

    @property
    def outcome_words(self) -> str:
        if self.screening is None:
            return "Not screened yet"
        return OUTCOME_WORDS.get(self.screening.outcome, self.screening.outcome)

    @property
    def is_signed(self) -> bool:
        return self.signoff is not None

    @property
    def is_altered(self) -> bool:
        return self.verification is not None and not self.verification.is_intact

    @property
    def disposition(self) -> Disposition | None:
        return self.state.disposition

    @property
    def is_override(self) -> bool:
        disposition = self.state.disposition
        return disposition is not None and disposition.is_override

    @property
    def items(self) -> list[ReviewItem]:
        return [item for _, _, items in self.groups for item in items]

    @property
    def open_items(self) -> list[ReviewItem]:
        """Flags to acknowledge one by one (missing data is resolved by answer)."""
        return [
            item for item in self.items if item.is_pending and not item.is_missing_data
        ]

    @property
    def open_missing(self) -> list["MissingItem"]:
        return [item for item in self.missing if item.is_open]

    @property
    def open_count(self) -> int:
        return len(self.open_items) + len(self.open_missing)

    @property
    def age(self) -> int | None:
        return self.intake.patient.age_on(self.intake.intake_on)


@dataclass
class MissingItem:
    """One missing answer, where to enter it, and the rules and flags waiting on it."""

    answer: missing_data.MissingAnswer
    url: str
    value: str
    missing_reason: str = ""
    form: Any = None

    @property
    def path(self) -> str:
        return self.answer.path

    @property
    def label(self) -> str:
        return self.answer.label

    @property
    def anchor(self) -> str:
        return self.answer.anchor

    @property
    def is_open(self) -> bool:
        return self.answer.is_open

    @property
    def acceptance(self) -> MissingAnswerAcceptance | None:
        return self.answer.acceptance

    @property
    def reason_words(self) -> str:
        if self.acceptance is None:
            return ""
        return str(missing_data.REASON_WORDS.get(self.acceptance.reason_code, ""))

    @property
    def waiting_words(self) -> str:
        return "; ".join(item.title for item in self.answer.waiting)


def _field_anchor(form_class: type[SectionForm], parts: list[str | int]) -> str:
    """The id of the question's block on its section page (longest matching path)."""
    names = {
        tuple(parse_path(form_class.path_of(name))): name
        for name in form_class.answer_names()
    }
    for end in range(len(parts), 0, -1):
        name = names.get(tuple(parts[:end]))
        if name is not None:
            return f"#div_id_{name}"
    return ""


def question_url(intake: Intake, path: str) -> str:
    """A link straight to the question of `path` on its section page."""
    parts = parse_path(path)
    if not parts:
        return reverse("screening:intake-detail", args=[intake.pk])
    section, rest = parts[0], parts[1:]
    for slug, form_class in SECTION_FORMS.items():
        own = form_class.own_keys
        if form_class.section == section and (not own or (rest and rest[0] in own)):
            url = reverse("screening:intake-section-edit", args=[intake.pk, slug])
            return url + _field_anchor(form_class, rest)
    if CLINICIAN_FORM.section == section:
        url = reverse("screening:intake-clinician-edit", args=[intake.pk])
        return url + _field_anchor(CLINICIAN_FORM, rest)
    return reverse("screening:intake-detail", args=[intake.pk])


def _missing_items(
    intake: Intake,
    screening: Screening | None,
    state: ReviewState,
    document: dict[str, Any],
    flat: dict[str, Any],
) -> list[MissingItem]:
    acceptances = compiled.rows(acceptances_query, intake.pk)
    answers = missing_data.list_missing_answers(
        screening, state, acceptances, missing_data.get_rule_titles(screening)
    )
    reasons = document.get("missing_reasons") or {}
    return [
        MissingItem(
            answer=answer,
            url=question_url(intake, answer.path),
            value=answer_text(answer.path, flat.get(answer.path)),
            missing_reason=MISSING_REASON_WORDS.get(reasons.get(answer.path, ""), ""),
        )
        for answer in answers
    ]


def _lines(
    answers: dict[str, Any],
    missing_reasons: dict[str, str],
    revisions_by_kind: dict[str, list[SectionRevision]],
) -> list[AnswerLine]:
    return [
        AnswerLine(
            path=path,
            label=question_label(path),
            value=answer_text(path, value),
            missing_reason=MISSING_REASON_WORDS.get(missing_reasons.get(path, ""), ""),
            entered=entry_of(path, revisions_by_kind),
        )
        for path, value in answers.items()
    ]


def _items(
    screening: Screening,
    state: ReviewState,
    document: dict[str, Any],
    flat: dict[str, Any],
    revisions_by_kind: dict[str, list[SectionRevision]],
) -> tuple[list[ReviewItem], list[ReviewItem]]:
    missing = document.get("missing_reasons") or {}
    flags, not_evaluable = [], []
    for flag in screening.result.get("flags", []):
        kind = Acknowledgement.Kind.FLAG
        ack = state.acknowledgements.get((kind, flag["code"]))
        needs_answer = flag["severity"] != "info"
        evidence = flag.get("evidence") or {}
        flags.append(
            ReviewItem(
                kind=kind,
                code=flag["code"],
                severity=flag["severity"],
                title=flag.get("title", flag["code"]),
                message=flag.get("message", ""),
                lines=_lines(evidence.get("answers") or {}, missing, revisions_by_kind),
                threshold=evidence.get("threshold"),
                settings=evidence.get("settings") or {},
                source=flag.get("source") or {},
                ruleset_version=flag.get("ruleset_version")
                or screening.ruleset_version,
                is_urgent=bool(flag.get("urgent")),
                acknowledgement=ack,
                is_pending=flag["code"] in state.pending_flags,
                needs_answer=needs_answer,
            )
        )
    for item in screening.result.get("not_evaluable", []):
        kind = Acknowledgement.Kind.NOT_EVALUABLE
        ack = state.acknowledgements.get((kind, item["code"]))
        needs = {path: flat.get(path) for path in item.get("needs", [])}
        not_evaluable.append(
            ReviewItem(
                kind=kind,
                code=item["code"],
                severity=item.get("severity", ""),
                title=item["code"],
                lines=_lines(needs, missing, revisions_by_kind),
                acknowledgement=ack,
                is_pending=item["code"] in state.pending_not_evaluable,
                needs_answer=True,
            )
        )
    return flags, not_evaluable


def _value_words(value: Any, band: Any = None, why: str = "not computable") -> str:
    if isinstance(band, bool):
        band = "positive" if band else "negative"
    words = why if value is None else _words(value)
    if band in BAND_WORDS:
        return BAND_WORDS[band] if value is None else f"{words} ({BAND_WORDS[band]})"
    return f"{words} ({_words(band)})" if band is not None else words


def _words(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value).replace("_", " ")


def _derived(
    result: dict[str, Any], document: dict[str, Any]
) -> tuple[list, list, list]:
    derived = result.get("derived") or {}

    def why(name: str) -> str:
        return rule_text.not_computable_reason(name, derived, document)

    scores = [
        (
            label,
            _value_words(
                derived.get(total), derived.get(band) if band else None, why(total)
            ),
        )
        for label, total, band in DERIVED_SCORES
        if total in derived
    ]
    maudsley = derived.get("maudsley")
    trd = [
        (label, _value_words(derived.get(key), why=why(key)))
        for label, key in TRD_VALUES
    ]
    if isinstance(maudsley, dict):
        trd.append(
            (
                "Maudsley staging",
                f"{maudsley.get('total')} ({maudsley.get('band')})",
            )
        )
    trials = []
    for trial in derived.get("trial_assessments") or []:
        counted = trial.get("counted_as_adequate_failure")
        verdict = {True: "Adequate failure", False: "Does not count"}.get(
            counted, "Undetermined"
        )
        why = "; ".join(
            TRIAL_REASON_WORDS.get(code, code) for code in trial.get("reasons", [])
        )
        trials.append((str(trial.get("drug")), verdict, why or "all criteria met"))
    return scores, trd, trials


def _versions(intake: Intake) -> list[Version]:
    versions = []
    for version in reviews.chain_intakes(intake):
        # Only an addendum has an addendum record, only a signed version a sign-off
        # (asked only then: each would be a query on an intake read alone).
        record = (
            getattr(version, "addendum_record", None) if version.amends_id else None
        )
        versions.append(
            Version(
                intake=version,
                signoff=getattr(version, "signoff", None)
                if version.is_signed
                else None,
                reason=record.reason if record else "",
                is_current=version.pk == intake.pk,
            )
        )
    return versions


def revisions_query(intake_id: Any) -> QuerySet[SectionRevision]:
    return (
        SectionRevision.objects.filter(section__intake_id=intake_id)
        .select_related("saved_by", "carried_from")
        .order_by("version")
    )


def acknowledgements_query(intake_id: Any) -> QuerySet[Acknowledgement]:
    return Acknowledgement.objects.filter(intake_id=intake_id).select_related(
        "acknowledged_by"
    )


def dispositions_query(intake_id: Any) -> QuerySet[Disposition]:
    return Disposition.objects.filter(intake_id=intake_id).select_related("decided_by")


def acceptances_query(intake_id: Any) -> QuerySet[MissingAnswerAcceptance]:
    return MissingAnswerAcceptance.objects.filter(intake_id=intake_id).select_related(
        "accepted_by"
    )


def _revisions_by_kind(
    intake: Intake, sections: list[IntakeSection]
) -> dict[str, list[SectionRevision]]:
    """Each section's field history, oldest first; each revision knows its section
    (the sign-off hashes read revision.section), as a prefetch would have left it."""
    by_id = {section.pk: section for section in sections}
    found: dict[str, list[SectionRevision]] = {s.kind: [] for s in sections}
    for revision in compiled.rows(revisions_query, intake.pk):
        section = by_id[revision.section_id]  # type: ignore[attr-defined]
        revision.section = section
        found[section.kind].append(revision)
    return found


def build_summary(intake: Intake) -> ReviewSummary:
    """Everything the summary shows, for an intake fetched through access."""
    # Each of these statements is compiled once per process (screening/compiled.py):
    # building them through the ORM cost more than running them (#19).
    sections: list[Any] = compiled.rows(sections_query, intake.pk)
    revisions_by_kind = _revisions_by_kind(intake, sections)
    acknowledgements = compiled.rows(acknowledgements_query, intake.pk)
    dispositions = compiled.rows(dispositions_query, intake.pk)
    versions = _versions(intake)
    current = next(version for version in versions if version.is_current)
    signoff = current.signoff
    screening = signoff.screening if signoff else intake.current_screening
    state = get_review_state(screening, acknowledgements, dispositions)
    state.urgent_reasons = urgent.open_reasons(intake)
    document = documents.intake_document(intake, sections)
    flat = flatten(document)  # every answer by path, read by the items and missing
    flags, not_evaluable = (
        _items(screening, state, document, flat, revisions_by_kind)
        if screening
        else ([], [])
    )
    if screening:
        rule_text.explain_items(flags, not_evaluable, screening, document)
    scores, trd, trials = _derived(screening.result if screening else {}, document)
    missing = (
        _missing_items(intake, screening, state, document, flat)
        if missing_data.has_missing_answers(screening)
        else []
    )
    summary = ReviewSummary(
        intake=intake,
        screening=screening,
        state=state,
        groups=[
            (severity, label, [f for f in flags if f.severity == severity])
            for severity, label in SEVERITY_GROUPS
        ],
        urgent=[flag for flag in flags if flag.is_urgent],
        not_evaluable=not_evaluable,
        derived=scores,
        trd_values=trd,
        trials=trials,
        versions=versions,
        missing=missing,
        key_scores=[(label, value) for label, value in scores if label in KEY_SCORES],
        signoff=signoff,
        # In form order: the sections are read in no order of their own.
        carry_pending=[
            s.get_kind_display()
            for s in sorted(sections, key=lambda s: SECTION_ORDER.index(s.kind))
            if s.is_carried_proposal
        ],
        trends=build_trends(intake, signoff),
        consent=consent.current_consent(intake),
    )
    if signoff is not None:
        summary.verification = verify_signoff(
            signoff,
            sections=sections,
            revisions=[rev for revs in revisions_by_kind.values() for rev in revs],
            acknowledgements=acknowledgements,
            dispositions=dispositions,
            patient_updates=patient_updates_of([intake.patient_id])[intake.patient_id],
        )
        summary.comparison = reviews.preview_under_active_ruleset(
            intake, sections, signoff
        )
    elif screening is not None:
        summary.opened_at = timezone.now()
        summary.page_sha256 = reviews.compute_page_hash(
            intake, sections=sections, screening=screening, state=state
        )
    _add_addendum_diff(summary, versions, document)
    return summary


def _add_addendum_diff(
    summary: ReviewSummary, versions: list[Version], document: dict[str, Any]
) -> None:
    """Answers and flags of an addendum against the signed version it amends."""
    intake = summary.intake
    if intake.amends_id is None:
        return
    amended = next((v for v in versions if v.intake.pk == intake.amends_id), None)
    if amended is None or amended.signoff is None:
        return
    summary.amends = amended.intake
    old_sections = list(IntakeSection.objects.filter(intake_id=intake.amends_id))
    old_document = documents.intake_document(amended.intake, old_sections)
    summary.answer_diff = diff_answers(old_document, document)
    if summary.screening is not None:
        summary.flag_diff = reviews.compare_results(
            amended.signoff.screening.result, summary.screening.result
        )
