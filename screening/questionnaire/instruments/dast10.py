"""DAST-10 (rule book §8.5): ten yes/no items, by topic only (licence, §9)."""

from typing import Final

from screening.questionnaire.model import (
    LOINC,
    YES_NO,
    Code,
    Fact,
    Instrument,
    Question,
    Scoring,
)
from screening.questionnaire.text import _

_PATH = "substance_use.dast10_answers"

DAST10: Final = Instrument(
    key="DAST10",
    path=_PATH,
    name=_("DAST-10"),
    legend=_("DAST-10 \u2013 answers from the clinic's own copy, by item topic"),
    given_label=_("DAST-10 (past 12 months, not alcohol or tobacco)"),
    # Topics only: the licensed item wording is never shown (rule book §8.5, §9).
    items=tuple(
        Question(f"{_PATH}[]", YES_NO, topic)
        for topic in (
            _("Use other than for medical reasons"),
            _("More than one drug at a time"),
            _("Always able to stop when wanted"),
            _("Blackouts or flashbacks"),
            _("Guilt about use"),
            _("Spouse or parents complain"),
            _("Neglected family"),
            _("Illegal activities to obtain drugs"),
            _("Withdrawal symptoms"),
            _("Medical problems from use"),
        )
    ),
    scoring=Scoring(
        "sum",
        item_max=1,
        reversed_items=(3,),
        bands=(
            (0, "none"),
            (2, "low"),
            (5, "moderate"),
            (8, "substantial"),
            (10, "severe"),
        ),
    ),
    completion=_(
        "All 10 items answered; with unanswered items the low and moderate rules are "
        "decided over the completions."
    ),
    licence=_(
        "\u00a9 Skinner/CAMH, non-commercial use with credit: the app shows item "
        "topics only; staff enter the answers from the clinic's own licensed copy."
    ),
    total_codes=(Code(LOINC, "82667-7", "Total score [DAST-10]"),),
    panel_codes=(Code(LOINC, "82666-9", "Drug Abuse Screening Test-10 [DAST-10]"),),
    fact=Fact(
        "DAST-10 answers, true = Yes; read one item, e.g. "
        "substance_use.dast10_answers[0]",
        False,
    ),
    expected=True,
    required=True,
    form_prefix="dast",
    topics_only=True,
)
