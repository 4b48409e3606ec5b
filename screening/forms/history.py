"""Section forms: the medical (21 items) and psychiatric (5 items) checklists."""

from typing import Any, ClassVar

from crispy_forms.layout import Fieldset, Layout
from django import forms

from screening.forms.answers import (
    ChoiceAnswerField,
    EventDateField,
    LinesField,
    TextAnswerField,
    YesNoField,
)
from screening.forms.questions import (
    CHILD_PUGH,
    LABELS,
    MEDICAL_ITEM_LABELS,
    NYHA_CLASS,
    PSYCHIATRIC_ITEM_LABELS,
)
from screening.forms.sections import SectionForm
from screening.intake_format.fields import checklist_answers

DETAIL = "_detail"


def checklist_fields(block: str, labels: dict[str, str]) -> dict[str, forms.Field]:
    """Each item as a three-state answer, with its optional `<item>_detail` note."""
    fields: dict[str, forms.Field] = {}
    for item, label in labels.items():
        if item.endswith("_date"):
            fields[item] = EventDateField(label=label)
        elif item == "heart_failure_nyha_class":
            fields[item] = ChoiceAnswerField(
                choices=NYHA_CLASS, label=label, coerce=int
            )
        elif item == "hepatic_impairment_child_pugh":
            fields[item] = ChoiceAnswerField(choices=CHILD_PUGH, label=label)
        else:
            fields[item] = YesNoField(label=label)
        fields[item + DETAIL] = TextAnswerField(label=LABELS[f"{block}.{item}{DETAIL}"])
    fields["other_conditions"] = LinesField(label=LABELS[f"{block}.other_conditions"])
    return fields


class ChecklistForm(SectionForm):
    """A history checklist. Every item is written out: no `checklist_default` (2.3)."""

    items: ClassVar[dict[str, str]]
    groups: ClassVar[list[tuple[str, list[str]]]]

    def layout(self) -> Layout:
        return Layout(
            *(Fieldset(legend, *names) for legend, names in self.groups),
            Fieldset("Other conditions", "other_conditions"),
        )

    @classmethod
    def initial_from(
        cls, value: Any, reasons: dict[str, str], base: str
    ) -> dict[str, Any]:
        # An imported `checklist_default: "all_false"` shows as the answers it means.
        expanded = {**(value or {}), **checklist_answers(cls.section, value or {})}
        return super().initial_from(expanded, reasons, base)

    def build(self) -> dict[str, Any]:
        value: dict[str, Any] = {}
        for item in self.items:
            if isinstance(self.fields[item], EventDateField):
                value[item] = self.event_date(item)
            else:
                value[item] = self.answer(item)
        for item in self.items:
            if self.answer(item + DETAIL):
                value[item + DETAIL] = self.answer(item + DETAIL)
        value["other_conditions"] = self.answer("other_conditions") or []
        return value


class MedicalHistoryForm(ChecklistForm):
    section = "medical_history"
    title = "Medical history"
    items = MEDICAL_ITEM_LABELS
    groups: ClassVar = [
        (
            "Vessels, bleeding and hypersensitivity",
            [
                "aneurysmal_vascular_disease",
                "arteriovenous_malformation",
                "intracerebral_hemorrhage",
                "hypersensitivity_ketamine_esketamine",
            ],
        ),
        (
            "Heart and circulation",
            [
                "mi_or_acs_date",
                "revascularization_date",
                "ischemic_stroke_or_tia",
                "heart_failure_nyha_class",
                "significant_valvular_disease",
                "uncontrolled_arrhythmia",
                "hypertensive_encephalopathy_history",
                "pulmonary_hypertension",
            ],
        ),
        (
            "Brain, eyes, thyroid, liver, bladder and lungs",
            [
                "raised_intracranial_pressure_current",
                "traumatic_brain_injury_history",
                "glaucoma_untreated_or_raised_iop",
                "seizure_disorder",
                "hyperthyroidism_untreated",
                "hepatic_impairment_child_pugh",
                "interstitial_or_ulcerative_cystitis",
                "sleep_apnea",
                "copd_or_pulmonary_insufficiency",
            ],
        ),
    ]


class PsychiatricHistoryForm(ChecklistForm):
    section = "psychiatric_history"
    title = "Psychiatric history"
    items = PSYCHIATRIC_ITEM_LABELS
    groups: ClassVar = [("Psychiatric history", list(PSYCHIATRIC_ITEM_LABELS))]


MedicalHistoryForm.base_fields.update(
    checklist_fields("medical_history", MEDICAL_ITEM_LABELS)
)
PsychiatricHistoryForm.base_fields.update(
    checklist_fields("psychiatric_history", PSYCHIATRIC_ITEM_LABELS)
)
