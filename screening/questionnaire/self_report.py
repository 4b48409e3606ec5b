"""What a patient answers on the clinic tablet (issue #17), derived from the
declaration: the patient-entered instruments item by item, and a short plain history
check written for patients. Plain Python, like the rest of the declaration.

Instrument wording is never here: the clinic's text pack gives it (rule book §9).
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from screening.questionnaire.model import (
    CHOICE,
    PATIENT,
    TEXT,
    YES_NO,
    Instrument,
    Option,
)
from screening.questionnaire.text import _

# The key of a note for staff: free text they reconcile, never an intake answer.
NOTE_PREFIX: Final = "notes."
DECLINED: Final = "declined"


@dataclass(frozen=True)
class Step:
    """One page of the patient's questions: one item, or one history question."""

    path: str  # `scales.phq9[8]`, `substance_use.audit_c.q2`, `notes.medicines`
    kind: str  # CHOICE (instrument item or history choice), YES_NO or TEXT
    instrument: str = ""  # the instrument's key for an item; "" otherwise
    index: int = 0  # the item's 0-based index in its instrument
    label: str = ""  # our own words, for a history question
    options: tuple[Option, ...] = ()  # our own options, for a history question
    # "Prefer not to say" where the missing-data reasons allow "declined".
    may_decline: bool = True

    @property
    def section(self) -> str:
        return "" if self.is_note else self.path.split(".", 1)[0].split("[", 1)[0]

    @property
    def is_note(self) -> bool:
        return self.path.startswith(NOTE_PREFIX)


_YES_NO_UNSURE: Final = (
    Option(True, _("Yes")),
    Option(False, _("No")),
    Option("unknown", _("I am not sure")),
)

SEIZURES: Final = Step(
    "medical_history.seizure_disorder",
    YES_NO,
    label=_("Have you been told you have epilepsy or a seizure disorder?"),
    options=_YES_NO_UNSURE,
)
PREGNANCY: Final = Step(
    "demographics.pregnancy_status",
    CHOICE,
    label=_("Are you pregnant, or could you be pregnant?"),
    options=(
        Option("pregnant", _("Yes, I am pregnant")),
        Option("not_pregnant", _("No")),
        Option("unknown", _("I do not know")),
    ),
)
ALLERGIES: Final = Step(
    "notes.allergies",
    TEXT,
    label=_(
        "Do you have any allergies, to medicines or anything else? Write what they are "
        'and what happens, or write "none".'
    ),
    may_decline=False,
)
MEDICINES: Final = Step(
    "notes.medicines",
    TEXT,
    label=_(
        "Which medicines do you take? Include anything from a pharmacy, vitamins and "
        'herbal remedies, or write "none".'
    ),
    may_decline=False,
)


def item_steps(instrument: Instrument) -> list[Step]:
    return [
        Step(instrument.item_path(n), CHOICE, instrument=instrument.key, index=n)
        for n in range(instrument.length)
    ]


def steps(
    instruments: list[Instrument],
    patient_answers: Mapping[str, Any],
    *,
    include: Callable[[Instrument], bool],
    pregnancy_asked: bool,
) -> list[Step]:
    """The patient's pages in order, for the intake's answers and theirs so far.

    `include` says whether an instrument is offered at all (a text pack in the
    patient's language, its patient-only condition or the staff tick); an item's own
    "asked only if" (AUDIT-C q2, q3 after "never") reads the patient's answers.
    """
    found: list[Step] = []
    for instrument in instruments:
        if instrument.entry != PATIENT or not include(instrument):
            continue
        for step, item in zip(item_steps(instrument), instrument.items, strict=True):
            if item.asked_if is None or item.asked_if.holds(patient_answers):
                found.append(step)
    found.append(SEIZURES)
    if pregnancy_asked:
        found.append(PREGNANCY)
    found += [ALLERGIES, MEDICINES]
    return found


def offered_by_condition(
    instrument: Instrument, intake_answers: Mapping[str, Any]
) -> bool:
    """Whether the patient-only condition holds (True when there is none)."""
    condition = instrument.patient_asked_if
    return condition is None or condition.holds(intake_answers)
