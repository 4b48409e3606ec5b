"""PCL-5 (rule book §8.3): 20 items over the past month, scored 0-4; info only."""

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
from screening.questionnaire.options import PCL5_ANSWERS
from screening.questionnaire.text import _

PCL5: Final = Instrument(
    key="PCL5",
    path="scales.pcl5",
    name=_("PCL-5"),
    legend=_("PCL-5 \u2013 in the past month, how much bothered by"),
    given_label=_("PCL-5"),
    items=item_list(
        "scales.pcl5",
        PCL5_ANSWERS,
        (
            _("Repeated disturbing memories of the experience"),
            _("Repeated disturbing dreams"),
            _("Suddenly feeling or acting as if it were happening again"),
            _("Feeling very upset when reminded"),
            _("Strong physical reactions when reminded"),
            _("Avoiding memories, thoughts or feelings about it"),
            _("Avoiding external reminders"),
            _("Trouble remembering important parts of it"),
            _("Strong negative beliefs about yourself, others or the world"),
            _("Blaming yourself or someone else for it"),
            _("Strong negative feelings such as fear, anger, guilt or shame"),
            _("Loss of interest in activities you used to enjoy"),
            _("Feeling distant or cut off from other people"),
            _("Trouble experiencing positive feelings"),
            _("Irritable behaviour, angry outbursts or acting aggressively"),
            _("Taking too many risks or doing things that could cause harm"),
            _("Being superalert, watchful or on guard"),
            _("Feeling jumpy or easily startled"),
            _("Difficulty concentrating"),
            _("Trouble falling or staying asleep"),
        ),
        entry=PATIENT,
    ),
    scoring=Scoring(
        "sum",
        item_max=4,
        bands=((30, "below_cutoff"), (32, "borderline"), (80, "probable_ptsd")),
        # Rule book §8.3: 5 points is a reliable change, 10 clinically meaningful.
        reliable_change=5,
        meaningful_change=10,
    ),
    completion=_(
        "All 20 items answered; cluster sums B (1-5), C (6-7), D (8-14) and E (15-20) "
        "are null while one of their items is unanswered."
    ),
    licence=_("US Government work (National Center for PTSD): embed the items; score."),
    total_codes=(Code(LOINC, "101698-9", "PTSD checklist for DSM-5 total score"),),
    panel_codes=(Code(LOINC, "101697-1", "PTSD checklist for DSM-5 (PCL-5)"),),
    fact=Fact("PCL-5 item scores, e.g. scales.pcl5[0]", 2),
    entry=PATIENT,
    form_prefix="pcl5",
)
