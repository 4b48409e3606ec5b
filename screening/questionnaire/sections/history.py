"""The medical (21 items) and psychiatric (5 items) checklists (intake-format.md 3.5-6).

Every item has an optional `<item>_detail` note. `checklist_default: "all_false"` gives
an unlisted item its `no_value` (section 2.3, rule book §1.2).
"""

from typing import Final

from screening.questionnaire import options
from screening.questionnaire.model import (
    CHOICE,
    EVENT_DATE,
    LINES,
    TEXT,
    YES_NO,
    Fact,
    Group,
    Page,
    Question,
    Section,
)
from screening.questionnaire.text import _

_MEDICAL_FACT = Fact("Medical checklist item, after checklist_default", False)
_PSYCHIATRIC_FACT = Fact("Psychiatric checklist item, after checklist_default", False)
_EVENT_FACT = Fact(
    "Date of the most recent event, false = never (checklist item, §1.2)",
    "2025-12-10",
)


def _item(
    block: str,
    name: str,
    label: str,
    fact: Fact = _MEDICAL_FACT,
    *,
    asked_afresh: bool = False,
) -> Question:
    return Question(
        f"{block}.{name}",
        YES_NO,
        label,
        no_value=False,
        fact=fact,
        asked_afresh=asked_afresh,
    )


# The seven items that feed absolute rules (rule book §5.9, DATA-MISSING-CI-CHECKLIST)
# are asked at every intake, never carried over: an MI or a bleed can happen between
# visits (#18). Each is marked `asked_afresh=True` below.


def _details(items: tuple[Question, ...]) -> tuple[Question, ...]:
    """Each item followed by its optional note, as the page shows them."""
    found: list[Question] = []
    for item in items:
        label = f"{_('Details:')} {item.label[0].lower()}{item.label[1:]}"
        found += [item, Question(f"{item.path}_detail", TEXT, label, optional=True)]
    return tuple(found)


def _other(block: str, label: str) -> Question:
    return Question(
        f"{block}.other_conditions", LINES, label, nullable=False, optional=True
    )


_M = "medical_history"
MEDICAL_ITEMS: Final = (
    _item(
        _M,
        "aneurysmal_vascular_disease",
        _("Aneurysmal vascular disease (aorta, intracranial or peripheral arteries)"),
        asked_afresh=True,
    ),
    _item(
        _M,
        "arteriovenous_malformation",
        _("Arteriovenous malformation"),
        asked_afresh=True,
    ),
    _item(
        _M,
        "intracerebral_hemorrhage",
        _("Intracerebral haemorrhage, ever"),
        asked_afresh=True,
    ),
    _item(
        _M,
        "hypersensitivity_ketamine_esketamine",
        _("Known hypersensitivity to ketamine or esketamine"),
        asked_afresh=True,
    ),
    Question(
        f"{_M}.mi_or_acs_date",
        EVENT_DATE,
        _("Most recent heart attack (MI) or acute coronary syndrome"),
        no_value=False,
        fact=_EVENT_FACT,
        asked_afresh=True,
    ),
    Question(
        f"{_M}.revascularization_date",
        EVENT_DATE,
        _("Most recent revascularisation (PCI, CABG)"),
        no_value=False,
        fact=_EVENT_FACT,
        asked_afresh=True,
    ),
    _item(_M, "ischemic_stroke_or_tia", _("Ischaemic stroke or TIA, ever")),
    Question(
        f"{_M}.heart_failure_nyha_class",
        CHOICE,
        _("Heart failure (NYHA class)"),
        options=options.NYHA_CLASS,
        minimum=0,
        maximum=4,
        no_value=0,
        fact=Fact("NYHA class 1-4; 0 = no heart failure", 0),
    ),
    _item(
        _M,
        "significant_valvular_disease",
        _("Clinically significant valvular heart disease"),
    ),
    _item(_M, "uncontrolled_arrhythmia", _("Uncontrolled brady- or tachyarrhythmia")),
    _item(
        _M,
        "hypertensive_encephalopathy_history",
        _("Hypertensive encephalopathy, ever"),
    ),
    _item(_M, "pulmonary_hypertension", _("Pulmonary hypertension")),
    _item(
        _M,
        "raised_intracranial_pressure_current",
        _("Raised intracranial pressure now"),
        asked_afresh=True,
    ),
    _item(_M, "traumatic_brain_injury_history", _("Traumatic brain injury, ever")),
    _item(
        _M,
        "glaucoma_untreated_or_raised_iop",
        _("Untreated glaucoma or raised intraocular pressure"),
    ),
    _item(_M, "seizure_disorder", _("Epilepsy or another seizure disorder")),
    _item(_M, "hyperthyroidism_untreated", _("Untreated hyperthyroidism")),
    Question(
        f"{_M}.hepatic_impairment_child_pugh",
        CHOICE,
        _("Hepatic impairment (Child\u2013Pugh class)"),
        options=options.CHILD_PUGH,
        no_value="none",
        fact=Fact("Child-Pugh class", "none"),
    ),
    _item(
        _M,
        "interstitial_or_ulcerative_cystitis",
        _("Interstitial or ulcerative cystitis"),
    ),
    _item(_M, "sleep_apnea", _("Sleep apnoea")),
    _item(
        _M,
        "copd_or_pulmonary_insufficiency",
        _("COPD or other pulmonary insufficiency"),
    ),
)


def _names(items: tuple[Question, ...], *names: str) -> tuple[str, ...]:
    paths = {item.name: item.path for item in items}
    return tuple(paths[name] for name in names)


MEDICAL_HISTORY: Final = Section(
    _M,
    _("Medical history"),
    questions=(
        *_details(MEDICAL_ITEMS),
        _other(_M, _("Other medical conditions")),
    ),
    is_checklist=True,
    carried_over=True,
    pages=(
        Page(
            "medical-history",
            _M,
            _("Medical history"),
            groups=(
                Group(
                    _("Vessels, bleeding and hypersensitivity"),
                    _names(
                        MEDICAL_ITEMS,
                        "aneurysmal_vascular_disease",
                        "arteriovenous_malformation",
                        "intracerebral_hemorrhage",
                        "hypersensitivity_ketamine_esketamine",
                    ),
                ),
                Group(
                    _("Heart and circulation"),
                    _names(
                        MEDICAL_ITEMS,
                        "mi_or_acs_date",
                        "revascularization_date",
                        "ischemic_stroke_or_tia",
                        "heart_failure_nyha_class",
                        "significant_valvular_disease",
                        "uncontrolled_arrhythmia",
                        "hypertensive_encephalopathy_history",
                        "pulmonary_hypertension",
                    ),
                ),
                Group(
                    _("Brain, eyes, thyroid, liver, bladder and lungs"),
                    _names(
                        MEDICAL_ITEMS,
                        "raised_intracranial_pressure_current",
                        "traumatic_brain_injury_history",
                        "glaucoma_untreated_or_raised_iop",
                        "seizure_disorder",
                        "hyperthyroidism_untreated",
                        "hepatic_impairment_child_pugh",
                        "interstitial_or_ulcerative_cystitis",
                        "sleep_apnea",
                        "copd_or_pulmonary_insufficiency",
                    ),
                ),
                Group(_("Other conditions"), (f"{_M}.other_conditions",)),
            ),
        ),
    ),
)

_P = "psychiatric_history"
PSYCHIATRIC_ITEMS: Final = tuple(
    _item(_P, name, label, _PSYCHIATRIC_FACT)
    for name, label in (
        (
            "psychotic_disorder_lifetime",
            _("Psychotic disorder, ever (substance-induced included)"),
        ),
        ("psychotic_symptoms_current", _("Psychotic symptoms now")),
        ("bipolar_or_mania_history", _("Bipolar disorder or a history of mania")),
        ("dissociative_disorder", _("Dissociative disorder")),
        ("severe_personality_disorder", _("Severe personality disorder")),
    )
)

PSYCHIATRIC_HISTORY: Final = Section(
    _P,
    _("Psychiatric history"),
    questions=(
        *_details(PSYCHIATRIC_ITEMS),
        _other(_P, _("Other psychiatric diagnoses")),
    ),
    is_checklist=True,
    carried_over=True,
    pages=(
        Page(
            "psychiatric-history",
            _P,
            _("Psychiatric history"),
            groups=(
                Group(
                    _("Psychiatric history"), tuple(i.path for i in PSYCHIATRIC_ITEMS)
                ),
                Group(_("Other conditions"), (f"{_P}.other_conditions",)),
            ),
        ),
    ),
)
