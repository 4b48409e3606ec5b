"""Demographics, indication and episode, vital signs (intake-format.md 3.2-3.4)."""

from typing import Final

from screening.questionnaire import options
from screening.questionnaire.model import (
    CHOICE,
    DATE,
    DECIMAL,
    INTEGER,
    LOINC,
    TEXT,
    YES_NO,
    Code,
    Fact,
    Group,
    Page,
    Question,
    Section,
    asked_if,
)
from screening.questionnaire.text import _

INTAKE_DATE: Final = Question(
    "intake_date",
    DATE,
    _("Intake date"),
    nullable=False,
    required=True,
    fact=Fact("The day the intake describes", "2026-09-15"),
)

_POTENTIAL = "demographics.reproductive_potential"
_NOT_PREGNANT_POSSIBLE = asked_if(_POTENTIAL, "!=", False)

DEMOGRAPHICS: Final = Section(
    "demographics",
    _("Demographics and reproductive status"),
    questions=(
        Question(
            "demographics.age",
            INTEGER,
            _("Age (whole years on the intake date)"),
            help=_("Filled in from the date of birth; correct it if it is wrong."),
            unit=_("years"),
            minimum=0,
            maximum=120,
            plausible=(12, 100),
            nullable=False,
            required=True,
            fact=Fact("Age in whole years; never null", 52),
        ),
        Question(
            "demographics.sex_for_scoring",
            CHOICE,
            _("Sex for scoring"),
            help=_(
                "Picks the AUDIT-C cut-off. Leave it not recorded when a clinician "
                "has yet to choose."
            ),
            options=options.SEX,
            null_label=_("Not recorded"),
            required=True,
            fact=Fact("Sex that picks sex-specific cut-offs", "male"),
        ),
        Question(
            _POTENTIAL,
            YES_NO,
            _("Could become pregnant"),
            required=True,
            fact=Fact("Could become pregnant (null counts as possibly yes)", True),
        ),
        Question(
            "demographics.pregnancy_status",
            CHOICE,
            _("Pregnancy status"),
            options=options.PREGNANCY_STATUS,
            required=True,
            asked_if=_NOT_PREGNANT_POSSIBLE,
            # Not asked without reproductive potential: its named skip value (2.1).
            not_asked_value="not_applicable",
            fact=Fact(
                'Pregnancy status; "unknown" is read as null (§5.4)',
                "not_pregnant",
                values=("pregnant", "not_pregnant", "not_applicable"),
            ),
        ),
        Question(
            "demographics.pregnancy_status_basis",
            TEXT,
            _("How the pregnancy status was established"),
            help=_("For example: urine hCG negative on the intake day."),
            optional=True,
            asked_if=_NOT_PREGNANT_POSSIBLE,
        ),
        Question(
            "demographics.breastfeeding",
            YES_NO,
            _("Currently breastfeeding"),
            required=True,
            fact=Fact("Currently breastfeeding", False),
        ),
    ),
    pages=(
        Page(
            "demographics",
            "demographics",
            _("Demographics and reproductive status"),
            groups=(
                Group(
                    _("Patient"), ("demographics.age", "demographics.sex_for_scoring")
                ),
                Group(
                    _("Reproductive status"),
                    (
                        _POTENTIAL,
                        "demographics.pregnancy_status",
                        "demographics.pregnancy_status_basis",
                        "demographics.breastfeeding",
                    ),
                ),
            ),
        ),
    ),
)

_PTSD = asked_if("indication.primary", "=", "ptsd")

INDICATION: Final = Section(
    "indication",
    _("Indication and current episode"),
    questions=(
        Question(
            "indication.primary",
            CHOICE,
            _("Primary indication"),
            options=options.PRIMARY_INDICATION,
            nullable=False,
            required=True,
            fact=Fact(
                "The condition treatment is considered for; never null",
                "major_depressive_disorder",
            ),
        ),
        Question(
            "indication.detail",
            TEXT,
            _("Diagnosis in words"),
            help=_("For example what \u201cOther\u201d is."),
            optional=True,
        ),
        Question(
            "indication.episode",
            CHOICE,
            _("Course of the depressive disorder"),
            options=options.EPISODE,
            fact=Fact("Course of the depressive disorder", "recurrent"),
        ),
        Question(
            "indication.current_episode_start",
            DATE,
            _("Start of the current episode"),
            fact=Fact("Start of the current episode", "2025-03-10"),
        ),
        Question(
            "indication.episode_severity_clinician",
            CHOICE,
            _("Severity of the current episode (clinician's rating)"),
            options=options.EPISODE_SEVERITY,
            fact=Fact("Clinician's rating of the current episode", "moderate"),
        ),
        Question(
            "indication.augmentation_used",
            YES_NO,
            _("Augmentation used in the current episode"),
            fact=Fact("Augmentation in this episode", False),
        ),
        Question(
            "indication.ect_used",
            YES_NO,
            _("ECT used in the current episode"),
            fact=Fact("ECT in this episode", False),
        ),
        Question(
            "indication.index_trauma_year",
            INTEGER,
            _("Year of the index trauma"),
            minimum=1900,
            maximum=2100,
            asked_if=_PTSD,
            not_asked_reason="not_asked",
            fact=Fact("Year of the index trauma", 2019),
        ),
    ),
    pages=(
        Page(
            "indication",
            "indication",
            _("Indication and current episode"),
            groups=(
                Group(_("Indication"), ("indication.primary", "indication.detail")),
                Group(
                    _("Current episode"),
                    (
                        "indication.episode",
                        "indication.current_episode_start",
                        "indication.episode_severity_clinician",
                        "indication.augmentation_used",
                        "indication.ect_used",
                    ),
                ),
                Group(
                    _("Post-traumatic stress"),
                    ("indication.index_trauma_year",),
                    asked_if=_PTSD,
                ),
            ),
        ),
    ),
)

VITALS: Final = Section(
    "vitals",
    _("Vital signs"),
    questions=(
        Question(
            "vitals.bp_systolic",
            INTEGER,
            _("Systolic blood pressure"),
            unit="mmHg",
            minimum=50,
            maximum=300,
            plausible=(70, 250),
            required=True,
            codes=(Code(LOINC, "8480-6", "Systolic blood pressure"),),
            fact=Fact("Systolic BP, mmHg", 124),
        ),
        Question(
            "vitals.bp_diastolic",
            INTEGER,
            _("Diastolic blood pressure"),
            unit="mmHg",
            minimum=20,
            maximum=200,
            plausible=(40, 150),
            required=True,
            codes=(Code(LOINC, "8462-4", "Diastolic blood pressure"),),
            fact=Fact("Diastolic BP, mmHg", 80),
        ),
        Question(
            "vitals.heart_rate",
            INTEGER,
            _("Heart rate"),
            unit="bpm",
            minimum=20,
            maximum=250,
            plausible=(35, 180),
            codes=(Code(LOINC, "8867-4", "Heart rate"),),
            fact=Fact("Resting heart rate, bpm", 72),
        ),
        Question(
            "vitals.bmi",
            DECIMAL,
            _("Body-mass index"),
            unit="kg/m²",
            minimum=10,
            maximum=100,
            places=1,
            plausible=(15, 70),
            codes=(Code(LOINC, "39156-5", "Body mass index (BMI) [Ratio]"),),
            fact=Fact("Body-mass index, kg/m2", 29.0),
        ),
    ),
    pages=(
        Page(
            "vitals",
            "vitals",
            _("Vital signs"),
            groups=(
                Group(
                    _("Blood pressure (one seated reading at rest)"),
                    ("vitals.bp_systolic", "vitals.bp_diastolic"),
                ),
                Group(
                    _("Heart rate and body-mass index"),
                    ("vitals.heart_rate", "vitals.bmi"),
                ),
            ),
        ),
    ),
)
