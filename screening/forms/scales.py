"""Section forms for `scales`: the patient's scales, and the clinician-entered page.

Both pages write the one `scales` section and merge only their own keys; the section's
version check covers the whole section. The C-SSRS screener and the MADRS total are
clinician-entered: topics only, never the licensed wording, and never the MADRS items
(rule book §9).
"""

from typing import Any, ClassVar

from crispy_forms.layout import Fieldset, Layout

from screening.forms.answers import (
    ChoiceAnswerField,
    GivenField,
    IntegerAnswerField,
    YesNoField,
)
from screening.forms.layout import shown_if
from screening.forms.paths import relative_to_section
from screening.forms.questions import (
    CSSRS_TOPICS,
    GAD7_TOPICS,
    LABELS,
    PCL5_ANSWERS,
    PCL5_TOPICS,
    PHQ9_TOPICS,
    PHQ_GAD_ANSWERS,
    Choices,
)
from screening.forms.sections import SectionForm
from screening.forms.substance import refuse_answers_when_not_given
from screening.models import IntakeSection, SectionRevision

INSTRUMENTS: dict[str, tuple[str, tuple[str, ...], Choices]] = {
    "phq9": (
        "PHQ-9 \u2013 over the last 2 weeks, how often bothered by",
        PHQ9_TOPICS,
        PHQ_GAD_ANSWERS,
    ),
    "gad7": (
        "GAD-7 \u2013 over the last 2 weeks, how often bothered by",
        GAD7_TOPICS,
        PHQ_GAD_ANSWERS,
    ),
    "pcl5": (
        "PCL-5 \u2013 in the past month, how much bothered by",
        PCL5_TOPICS,
        PCL5_ANSWERS,
    ),
}
CSSRS_QUESTIONS = list(CSSRS_TOPICS)
PATIENT_KEYS = ("phq9", "gad7", "pcl5")
CLINICIAN_KEYS = ("cssrs_screener", "madrs_total")


def item_names(key: str) -> list[str]:
    return [f"{key}_{n}" for n in range(1, len(INSTRUMENTS[key][1]) + 1)]


def last_change(
    section: IntakeSection,
    keys: tuple[str, ...],
    revisions: list[SectionRevision] | None = None,
) -> SectionRevision | None:
    """The latest saved revision that changed these keys (or their reasons).

    Its `saved_by` and `saved_at` say who entered the clinician-entered answers, when.
    `revisions` (the section's, by version, with saved_by) saves a query when the
    caller already read them.
    """
    last = None
    previous: Any = (dict.fromkeys(keys), {})
    if revisions is None:
        revisions = section_history(section)
    for revision in revisions:
        data = revision.data or {}
        reasons = {
            path: reason
            for path, reason in (revision.missing_reasons or {}).items()
            if relative_to_section("scales", path)[:1]
            and relative_to_section("scales", path)[0] in keys
        }
        current = ({key: data.get(key) for key in keys}, reasons)
        if current != previous:
            last = revision
        previous = current
    return last


def section_history(section: IntakeSection) -> list[SectionRevision]:
    """Every saved state of the section, oldest first, with who saved it."""
    return list(section.revisions.select_related("saved_by").order_by("version"))


class ScalesForm(SectionForm):
    section = "scales"
    title = "Symptom scales"
    own_keys = PATIENT_KEYS
    paths: ClassVar = {
        **{f"{key}_given": key for key in INSTRUMENTS},
        **{
            f"{key}_{n}": f"{key}[{n - 1}]"
            for key, (_legend, topics, _answers) in INSTRUMENTS.items()
            for n in range(1, len(topics) + 1)
        },
    }

    phq9_given = GivenField(label="PHQ-9")
    gad7_given = GivenField(label="GAD-7")
    pcl5_given = GivenField(label="PCL-5")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if last_change(self.section_row, self.own_keys) is None:
            # The PHQ-9 belongs to every intake: offered as given until first saved.
            self.initial["phq9_given"] = "yes"

    def layout(self) -> Layout:
        return Layout(
            *(
                Fieldset(
                    legend,
                    f"{key}_given",
                    shown_if(f"{key}_given=yes", *item_names(key)),
                )
                for key, (legend, _topics, _answers) in INSTRUMENTS.items()
            )
        )

    def build(self) -> dict[str, Any]:
        value: dict[str, Any] = {}
        for key in INSTRUMENTS:
            items = item_names(key)
            refuse_answers_when_not_given(self, f"{key}_given", items)
            given = self.answer(f"{key}_given")
            value[key] = [self.answer(name) for name in items] if given else None
        return value


for _key, (_legend, _topics, _answers) in INSTRUMENTS.items():
    for _n, _topic in enumerate(_topics, start=1):
        ScalesForm.base_fields[f"{_key}_{_n}"] = ChoiceAnswerField(
            choices=_answers, coerce=int, label=f"{_n}. {_topic}"
        )


class ClinicianScalesForm(SectionForm):
    section = "scales"
    title = "Clinician-entered C-SSRS screener and MADRS total"
    notice = (
        "Clinician-entered: you record the patient's answers to the C-SSRS screener "
        "as the clinician, by topic. Your name and the time are kept with them."
    )
    own_keys = CLINICIAN_KEYS
    paths: ClassVar = {
        "cssrs_given": "cssrs_screener",
        **{f"cssrs_{q}": f"cssrs_screener.{q}" for q in CSSRS_QUESTIONS},
    }

    cssrs_given = GivenField(
        label="Clinician-entered C-SSRS screener", given="Done", not_given="Not done"
    )
    madrs_total = IntegerAnswerField(
        label=LABELS["scales.madrs_total"],
        min_value=0,
        max_value=60,
        unit="points",
        help_text="The total only (0\u201360); the items are never recorded here.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.entered = last_change(self.section_row, self.own_keys)
        if self.entered is None:
            self.initial["cssrs_given"] = "yes"

    def layout(self) -> Layout:
        return Layout(
            Fieldset(
                "Clinician-entered C-SSRS screener: the clinician's record of the "
                "patient's answers",
                "cssrs_given",
                shown_if(
                    "cssrs_given=yes",
                    "cssrs_q1",
                    "cssrs_q2",
                    shown_if("cssrs_q2=yes", "cssrs_q3", "cssrs_q4", "cssrs_q5"),
                    "cssrs_q6",
                    shown_if("cssrs_q6=yes", "cssrs_q6_within_3_months"),
                ),
            ),
            Fieldset("MADRS (clinician-rated)", "madrs_total"),
        )

    def build(self) -> dict[str, Any]:
        refuse_answers_when_not_given(
            self, "cssrs_given", [f"cssrs_{q}" for q in CSSRS_QUESTIONS]
        )
        screener = None
        if self.answer("cssrs_given"):
            screener = {q: self.answer(f"cssrs_{q}") for q in CSSRS_QUESTIONS}
            if screener["q2"] is not True:
                # Not asked unless q2 is yes: stored as null (intake-format.md 3.11).
                screener["q3"] = screener["q4"] = screener["q5"] = None
            if screener["q6"] is not True:
                screener["q6_within_3_months"] = None
        return {"cssrs_screener": screener, "madrs_total": self.answer("madrs_total")}

    def skipped(self, value: Any) -> list[str]:
        screener = value.get("cssrs_screener") or {}
        skipped = []
        if screener and screener.get("q2") is not True:
            skipped += ["cssrs_screener.q3", "cssrs_screener.q4", "cssrs_screener.q5"]
        if screener and screener.get("q6") is not True:
            skipped.append("cssrs_screener.q6_within_3_months")
        return skipped


for _q, _topic in CSSRS_TOPICS.items():
    ClinicianScalesForm.base_fields[f"cssrs_{_q}"] = YesNoField(
        label=f"{_q.replace('_', ' ')}: {_topic}"
    )
