"""Section form: substance use (AUDIT-C, DAST-10 by topic, disorders, drug use)."""

from typing import Any, ClassVar

from crispy_forms.layout import Fieldset, Layout

from screening.forms.answers import (
    ChoiceAnswerField,
    DateAnswerField,
    GivenField,
    TextAnswerField,
    YesNoField,
)
from screening.forms.layout import Rows, grid_row, hidden_if, shown_if
from screening.forms.questions import (
    AUDIT_C_ANSWERS,
    AUDIT_C_QUESTIONS,
    DAST10_TOPICS,
    LABELS,
    NMU_SUBSTANCE,
    ROW_NOUNS,
    SUD_SEVERITY,
    SUD_STATUS,
    SUD_SUBSTANCE,
    USE_PATTERN,
)
from screening.forms.sections import RowForm, RowsBlock, SectionForm, asked_field

SUD = "substance_use.substance_use_disorders"
NMU = "substance_use.non_medical_use"


def refuse_answers_when_not_given(form: Any, given: str, items: list[str]) -> None:
    """Answers under "Not administered" would be dropped: say so, never lose them."""
    if form.answer(given) is None and any(form.answer(i) is not None for i in items):
        form.add_error(
            given,
            "You chose \u201cNot administered\u201d but some questions have answers. "
            "Choose \u201cAdministered\u201d to keep them, or clear them first.",
        )


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


class DisorderRow(RowForm):
    substance = ChoiceAnswerField(
        choices=SUD_SUBSTANCE,
        nullable=False,
        select=True,
        label=_cap(LABELS[f"{SUD}[].substance"]),
        error_messages={
            "required": "Choose the substance, or tick \u201cRemove\u201d."
        },
    )
    severity = ChoiceAnswerField(
        choices=SUD_SEVERITY, select=True, label=_cap(LABELS[f"{SUD}[].severity"])
    )
    status = ChoiceAnswerField(
        choices=SUD_STATUS, select=True, label=_cap(LABELS[f"{SUD}[].status"])
    )
    last_met_criteria = DateAnswerField(
        label=_cap(LABELS[f"{SUD}[].last_met_criteria"])
    )
    detail = TextAnswerField(label=_cap(LABELS[f"{SUD}[].detail"]))

    def row_layout(self) -> Layout:
        return Layout(
            grid_row(("substance", 4), ("severity", 4), ("status", 4)),
            grid_row(("last_met_criteria", 4), ("detail", 8)),
        )


class NonMedicalUseRow(RowForm):
    substance = ChoiceAnswerField(
        choices=NMU_SUBSTANCE,
        nullable=False,
        select=True,
        label=_cap(LABELS[f"{NMU}[].substance"]),
        error_messages={
            "required": "Choose the substance, or tick \u201cRemove\u201d."
        },
    )
    route = TextAnswerField(
        label=_cap(LABELS[f"{NMU}[].route"]), help_text="For example: intranasal."
    )
    pattern = ChoiceAnswerField(
        choices=USE_PATTERN, select=True, label=_cap(LABELS[f"{NMU}[].pattern"])
    )
    last_use = DateAnswerField(label=_cap(LABELS[f"{NMU}[].last_use"]))
    detail = TextAnswerField(label=_cap(LABELS[f"{NMU}[].detail"]))

    def row_layout(self) -> Layout:
        return Layout(
            grid_row(("substance", 4), ("route", 4), ("pattern", 4)),
            grid_row(("last_use", 4), ("detail", 8)),
        )


AUDIT_ITEMS = [f"audit_{q}" for q in AUDIT_C_QUESTIONS]
DAST_ITEMS = [f"dast_{n}" for n in range(1, 11)]


class SubstanceUseForm(SectionForm):
    section = "substance_use"
    title = "Substance use"
    notice = (
        "DAST-10: read each question from the clinic's own licensed copy. This form "
        "names the topic of each item only."
    )
    paths: ClassVar = {
        "audit_given": "audit_c",
        **{f"audit_{q}": f"audit_c.{q}" for q in AUDIT_C_QUESTIONS},
        "dast_given": "dast10_answers",
        **{f"dast_{n}": f"dast10_answers[{n - 1}]" for n in range(1, 11)},
        "sud_asked": "substance_use_disorders",
        "nmu_asked": "non_medical_use",
    }

    audit_given = GivenField(label="AUDIT-C")
    dast_given = GivenField(label="DAST-10 (past 12 months, not alcohol or tobacco)")
    sud_asked = asked_field("Were diagnosed substance use disorders asked about?")
    nmu_asked = asked_field("Was non-medical drug use, at any time, asked about?")
    dissociative_misuse_lifetime = YesNoField(
        label=LABELS["substance_use.dissociative_misuse_lifetime"]
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.section_row.is_saved:
            # Both screeners belong to every intake: offered as given on a new section.
            self.initial["audit_given"] = self.initial["dast_given"] = "yes"

    def make_blocks(self) -> None:
        self.blocks["sud"] = RowsBlock(
            self,
            asked="sud_asked",
            path=SUD,
            row_form=DisorderRow,
            prefix="sud",
            noun=ROW_NOUNS[SUD],
        )
        self.blocks["nmu"] = RowsBlock(
            self,
            asked="nmu_asked",
            path=NMU,
            row_form=NonMedicalUseRow,
            prefix="nmu",
            noun=ROW_NOUNS[NMU],
        )

    def layout(self) -> Layout:
        return Layout(
            Fieldset(
                "AUDIT-C (alcohol)",
                "audit_given",
                shown_if(
                    "audit_given=yes",
                    "audit_q1",
                    hidden_if("audit_q1=0", "audit_q2", "audit_q3"),
                ),
            ),
            Fieldset(
                "DAST-10 \u2013 answers from the clinic's own copy, by item topic",
                "dast_given",
                shown_if("dast_given=yes", *DAST_ITEMS),
            ),
            Fieldset("Substance use disorders", "sud_asked", Rows("sud")),
            Fieldset("Non-medical drug use", "nmu_asked", Rows("nmu")),
            Fieldset("Dissociatives", "dissociative_misuse_lifetime"),
        )

    def build(self) -> dict[str, Any]:
        refuse_answers_when_not_given(self, "audit_given", AUDIT_ITEMS)
        refuse_answers_when_not_given(self, "dast_given", DAST_ITEMS)
        audit = None
        if self.answer("audit_given"):
            audit = {q: self.answer(f"audit_{q}") for q in AUDIT_C_QUESTIONS}
            if audit["q1"] == 0:
                # The AUDIT skip rule: "never" scores q2 = q3 = 0, never null (3.10).
                audit["q2"] = audit["q3"] = 0
        dast = None
        if self.answer("dast_given"):
            dast = [self.answer(name) for name in DAST_ITEMS]
        return {
            "audit_c": audit,
            "dast10_answers": dast,
            "substance_use_disorders": self.blocks["sud"].build(),
            "non_medical_use": self.blocks["nmu"].build(),
            "dissociative_misuse_lifetime": self.answer("dissociative_misuse_lifetime"),
        }


for _q, _question in AUDIT_C_QUESTIONS.items():
    SubstanceUseForm.base_fields[f"audit_{_q}"] = ChoiceAnswerField(
        choices=AUDIT_C_ANSWERS[_q], coerce=int, label=f"{_q[1]}. {_question}"
    )
for _n, _topic in enumerate(DAST10_TOPICS, start=1):
    SubstanceUseForm.base_fields[f"dast_{_n}"] = YesNoField(label=f"{_n}. {_topic}")
