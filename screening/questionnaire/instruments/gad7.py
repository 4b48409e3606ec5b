"""GAD-7 (rule book §8.2): 7 items over the past 2 weeks, scored 0-3."""

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

GAD7: Final = Instrument(
    key="GAD7",
    path="scales.gad7",
    name=_("GAD-7"),
    legend=_("GAD-7 \u2013 over the last 2 weeks, how often bothered by"),
    given_label=_("GAD-7"),
    items=item_list(
        "scales.gad7",
        PHQ_GAD_ANSWERS,
        (
            _("Feeling nervous, anxious or on edge"),
            _("Not being able to stop or control worrying"),
            _("Worrying too much about different things"),
            _("Trouble relaxing"),
            _("So restless that it is hard to sit still"),
            _("Becoming easily annoyed or irritable"),
            _("Feeling afraid as if something awful might happen"),
        ),
        entry=PATIENT,
    ),
    scoring=Scoring(
        "sum",
        item_max=3,
        bands=((4, "minimal"), (9, "mild"), (14, "moderate"), (21, "severe")),
    ),
    completion=_(
        "All 7 items answered; an unanswered item makes the total incomplete."
    ),
    licence=_("No permission needed to reproduce, translate, display or distribute."),
    total_codes=(
        Code(
            LOINC, "70274-6", "Generalized anxiety disorder 7 item (GAD-7) total score"
        ),
    ),
    panel_codes=(
        Code(LOINC, "69737-5", "Generalized anxiety disorder 7 item (GAD-7)"),
    ),
    fact=Fact("GAD-7 item scores, e.g. scales.gad7[0]", 1),
    entry=PATIENT,
    form_prefix="gad7",
)
