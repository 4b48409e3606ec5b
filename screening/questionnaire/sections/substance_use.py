"""Substance use (intake-format.md 3.10): AUDIT-C, DAST-10, disorders, drug use."""

from typing import Final

from screening.questionnaire import options
from screening.questionnaire.instruments.audit_c import AUDIT_C
from screening.questionnaire.instruments.dast10 import DAST10
from screening.questionnaire.model import (
    CHOICE,
    DATE,
    TEXT,
    YES_NO,
    Fact,
    Group,
    Page,
    Question,
    RowList,
    Section,
)
from screening.questionnaire.text import _

_SUD = "substance_use.substance_use_disorders[]"
_NMU = "substance_use.non_medical_use[]"

DISORDERS: Final = RowList(
    "substance_use.substance_use_disorders",
    _("Substance use disorders"),
    _("Substance use disorder"),
    _("Substance use disorders"),
    asked_label=_("Were diagnosed substance use disorders asked about?"),
    none_label=_("None diagnosed"),
    form_prefix="sud",
    carried_over=True,
    row=(
        Question(
            f"{_SUD}.substance",
            CHOICE,
            _("substance"),
            options=options.SUD_SUBSTANCE,
            nullable=False,
            required=True,
        ),
        Question(
            f"{_SUD}.severity",
            CHOICE,
            _("severity"),
            options=options.SUD_SEVERITY,
            optional=True,
        ),
        Question(
            f"{_SUD}.status",
            CHOICE,
            _("status"),
            options=options.SUD_STATUS,
            required=True,
        ),
        Question(
            f"{_SUD}.last_met_criteria",
            DATE,
            _("last date criteria were met"),
            required=True,
        ),
        Question(f"{_SUD}.detail", TEXT, _("note"), optional=True),
    ),
)

NON_MEDICAL_USE: Final = RowList(
    "substance_use.non_medical_use",
    _("Non-medical drug use"),
    _("Non-medical use"),
    _("Non-medical drug use"),
    asked_label=_("Was non-medical drug use, at any time, asked about?"),
    form_prefix="nmu",
    row=(
        Question(
            f"{_NMU}.substance",
            CHOICE,
            _("substance"),
            options=options.NMU_SUBSTANCE,
            nullable=False,
            required=True,
        ),
        Question(
            f"{_NMU}.route",
            TEXT,
            _("route"),
            help=_("For example: intranasal."),
            optional=True,
        ),
        Question(
            f"{_NMU}.pattern",
            CHOICE,
            _("usual frequency"),
            options=options.USE_PATTERN,
            optional=True,
        ),
        Question(f"{_NMU}.last_use", DATE, _("date of last use"), optional=True),
        Question(f"{_NMU}.detail", TEXT, _("note"), optional=True),
    ),
)

DISSOCIATIVE_MISUSE: Final = Question(
    "substance_use.dissociative_misuse_lifetime",
    YES_NO,
    _("Ever misused ketamine, esketamine, PCP or another dissociative"),
    required=True,
    fact=Fact("Ever misused ketamine, esketamine, PCP or another dissociative", False),
)

SUBSTANCE_USE: Final = Section(
    "substance_use",
    _("Substance use"),
    instruments=(AUDIT_C, DAST10),
    lists=(DISORDERS, NON_MEDICAL_USE),
    questions=(DISSOCIATIVE_MISUSE,),
    pages=(
        Page(
            "substance-use",
            "substance_use",
            _("Substance use"),
            notice=_(
                "DAST-10: read each question from the clinic's own licensed copy. This "
                "form names the topic of each item only."
            ),
            groups=(
                Group(AUDIT_C.legend, (AUDIT_C.path,)),
                Group(DAST10.legend, (DAST10.path,)),
                Group(_("Substance use disorders"), (DISORDERS.path,)),
                Group(_("Non-medical drug use"), (NON_MEDICAL_USE.path,)),
                Group(_("Dissociatives"), (DISSOCIATIVE_MISUSE.path,)),
            ),
        ),
    ),
)
