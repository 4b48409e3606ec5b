"""PHQ-9 (rule book §8.1): 9 items over the past 2 weeks, scored 0-3."""

from typing import Final

from screening.questionnaire.instruments.scored import item_list
from screening.questionnaire.model import (
    LOINC,
    PATIENT,
    Code,
    Fact,
    Instrument,
    Scoring,
)
from screening.questionnaire.options import PHQ_GAD_ANSWERS
from screening.questionnaire.text import _

PHQ9: Final = Instrument(
    key="PHQ9",
    path="scales.phq9",
    name=_("PHQ-9"),
    legend=_("PHQ-9 \u2013 over the last 2 weeks, how often bothered by"),
    given_label=_("PHQ-9"),
    items=item_list(
        "scales.phq9",
        PHQ_GAD_ANSWERS,
        (
            _("Little interest or pleasure in doing things"),
            _("Feeling down, depressed or hopeless"),
            _("Trouble falling or staying asleep, or sleeping too much"),
            _("Feeling tired or having little energy"),
            _("Poor appetite or overeating"),
            _("Feeling bad about yourself, or a failure"),
            _("Trouble concentrating"),
            _("Moving or speaking slowly, or being fidgety or restless"),
            _("Thoughts of being better off dead or of hurting yourself"),
        ),
        entry=PATIENT,
    ),
    scoring=Scoring(
        "sum",
        item_max=3,
        bands=(
            (4, "minimal"),
            (9, "mild"),
            (14, "moderate"),
            (19, "moderately_severe"),
            (27, "severe"),
        ),
    ),
    completion=_(
        "All 9 items answered; an unanswered item makes the total incomplete. The "
        "functional 10th question is not scored and not stored."
    ),
    licence=_("No permission needed to reproduce, translate, display or distribute."),
    total_codes=(
        Code(LOINC, "44261-6", "Patient Health Questionnaire 9 item total score"),
    ),
    panel_codes=(Code(LOINC, "44249-1", "PHQ-9 quick depression assessment panel"),),
    fact=Fact("PHQ-9 item scores; item 9 is scales.phq9[8]", 0),
    entry=PATIENT,
    expected=True,
    required=True,
    form_prefix="phq9",
)
