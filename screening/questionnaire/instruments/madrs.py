"""MADRS (rule book §8.7): the clinician-entered total only; the items never (§9)."""

from typing import Final

from screening.questionnaire.model import (
    CLINICIAN,
    INTEGER,
    LOCAL,
    Code,
    Fact,
    Instrument,
    Question,
    Scoring,
)
from screening.questionnaire.text import _

MADRS: Final = Instrument(
    key="MADRS",
    path="scales.madrs_total",
    name=_("MADRS"),
    legend=_("MADRS (clinician-rated)"),
    given_label=_("MADRS total (clinician-entered)"),
    items=(
        Question(
            "scales.madrs_total",
            INTEGER,
            _("MADRS total (clinician-entered)"),
            help=_("The total only (0\u201360); the items are never recorded here."),
            unit=_("points"),
            minimum=0,
            maximum=60,
            optional=True,
            entry=CLINICIAN,
            fact=Fact("MADRS total, clinician-entered", 28),
        ),
    ),
    # Snaith cut-offs (rule book §8.7); remission "often taken as <= 10" (§8.7).
    scoring=Scoring(
        "total_only",
        bands=((6, "normal"), (19, "mild"), (34, "moderate"), (60, "severe")),
        remission_at_most=10,
    ),
    completion=_("The total, 0-60; null when not administered."),
    licence=_(
        "\u00a9 Royal College of Psychiatrists, permission refused: clinician-entered "
        "total only; the items are never reproduced."
    ),
    # No LOINC code for the MADRS total: a local code with its text.
    total_codes=(Code(LOCAL, "madrs-total", "MADRS total score (clinician-rated)"),),
    entry=CLINICIAN,
    form_prefix="madrs",
    is_list=False,
    topics_only=True,
    label=_("MADRS total (clinician-entered)"),
)
