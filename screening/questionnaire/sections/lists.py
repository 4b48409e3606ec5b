"""The three list sections: allergies, medications, antidepressant trials (3.7-3.9).

Each is "Was this asked?" plus rows (intake-format.md 2.1: null = not asked, [] = none).
"""

from typing import Final

from screening.questionnaire import options
from screening.questionnaire.model import (
    CHOICE,
    CLINICIAN,
    DECIMAL,
    TEXT,
    YES_NO,
    Group,
    Page,
    Question,
    RowList,
    Section,
    asked_if,
)
from screening.questionnaire.text import _

# intake.schema.json: 0 < dose <= 100000 mg/day.
TOP_DOSE_MG: Final = 100_000
DOSE_HELP: Final = _("Convert micrograms to mg: 75 µg is 0.075.")


def dose(path: str, label: str, *, optional: bool = False) -> Question:
    """A daily dose in mg/day, as medications and trials record it."""
    return Question(
        path,
        DECIMAL,
        label,
        help=DOSE_HELP,
        unit="mg/day",
        minimum=0,
        exclusive_minimum=True,
        maximum=TOP_DOSE_MG,
        places=4,
        required=True,
        optional=optional,
    )


def _list_section(name: str, title: str, rows: RowList) -> Section:
    return Section(
        name,
        title,
        lists=(rows,),
        is_list=True,
        pages=(
            Page(
                name.replace("_", "-"),
                name,
                title,
                groups=(Group(rows.legend, (rows.path,)),),
            ),
        ),
    )


ALLERGIES: Final = _list_section(
    "allergies",
    _("Allergies"),
    RowList(
        "allergies",
        _("Allergies"),
        _("Allergy"),
        _(
            "Known allergies (ketamine or esketamine hypersensitivity is asked in the "
            "medical history)"
        ),
        none_label=_("No known allergies"),
        carried_over=True,
        row=(
            Question(
                "allergies[].substance",
                TEXT,
                _("substance"),
                nullable=False,
                required=True,
            ),
            Question(
                "allergies[].reaction",
                TEXT,
                _("reaction"),
                help=_("For example: rash."),
                optional=True,
            ),
        ),
    ),
)

MEDICATIONS: Final = _list_section(
    "medications",
    _("Current medications"),
    RowList(
        "medications",
        _("Current medications"),
        _("Medication"),
        _("Medications taken now (past antidepressants go under trials)"),
        none_label=_("No current medications"),
        carried_over=True,
        row=(
            Question(
                "medications[].name",
                TEXT,
                _("name"),
                help=_(
                    "For a benzodiazepine, start with the drug: \u201clorazepam\u201d."
                ),
                nullable=False,
                required=True,
            ),
            Question(
                "medications[].class",
                CHOICE,
                _("class"),
                options=options.MEDICATION_CLASS,
                nullable=False,
                required=True,
            ),
            dose("medications[].daily_dose_mg", _("daily dose (mg/day)")),
        ),
    ),
)

_T = "antidepressant_trials[]"
_OVERRIDDEN = asked_if(f"{_T}.dose_adequate_override", "!=", None)

ANTIDEPRESSANT_TRIALS: Final = _list_section(
    "antidepressant_trials",
    _("Antidepressant trials"),
    RowList(
        "antidepressant_trials",
        _("Antidepressant trials"),
        _("Trial"),
        _("One row per trial of one drug, from any episode"),
        none_label=_("No antidepressant trials"),
        carried_over=True,
        row=(
            Question(
                f"{_T}.drug",
                TEXT,
                _("drug and formulation"),
                help=_("With its formulation, for example \u201cvenlafaxine XR\u201d."),
                nullable=False,
                required=True,
            ),
            dose(f"{_T}.daily_dose_mg", _("daily dose reached (mg/day)")),
            Question(
                f"{_T}.weeks_at_dose",
                DECIMAL,
                _("weeks at or above that dose"),
                unit=_("weeks"),
                minimum=0,
                maximum=520,
                required=True,
            ),
            Question(
                f"{_T}.adherence_pct",
                DECIMAL,
                _("adherence (% of doses taken)"),
                unit="%",
                minimum=0,
                maximum=100,
                required=True,
            ),
            Question(
                f"{_T}.outcome",
                CHOICE,
                _("outcome"),
                options=options.TRIAL_OUTCOME,
                required=True,
            ),
            Question(
                f"{_T}.improvement_pct",
                DECIMAL,
                _("improvement (%, negative = worse)"),
                unit="%",
                minimum=-100,
                maximum=100,
                optional=True,
            ),
            Question(
                f"{_T}.current_episode",
                YES_NO,
                _("given in the current episode"),
                required=True,
                asked_afresh=True,
            ),
            Question(
                f"{_T}.ongoing",
                YES_NO,
                _("still taking it"),
                nullable=False,
                asked_afresh=True,
            ),
            Question(
                f"{_T}.stopped_reason",
                TEXT,
                _("why it was stopped"),
                optional=True,
                asked_if=asked_if(f"{_T}.ongoing", "!=", True),
            ),
            Question(
                f"{_T}.target",
                CHOICE,
                _("condition treated"),
                options=options.TRIAL_TARGET,
                optional=True,
            ),
            Question(
                f"{_T}.dose_adequate_override",
                YES_NO,
                _("clinician's dose-adequacy override"),
                help=_("Replaces the dose-table comparison for this trial."),
                options=options.DOSE_OVERRIDE,
                null_label=_("No override"),
                optional=True,
                reasons=(),
                entry=CLINICIAN,
            ),
            Question(
                f"{_T}.dose_adequate_override_reason",
                TEXT,
                _("reason for the override"),
                help=_("For example: older adult, or drug not in the table."),
                optional=True,
                asked_if=_OVERRIDDEN,
                entry=CLINICIAN,
            ),
        ),
    ),
)
