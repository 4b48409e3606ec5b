"""Scales (intake-format.md 3.11): the patient's instruments and the clinician's page.

Two pages write the one section: the patient's scales, and the clinician-entered
C-SSRS screener and MADRS total. A new instrument joins the page its `entry` names.
"""

from typing import Final

from screening.questionnaire.instruments.cssrs import CSSRS
from screening.questionnaire.instruments.gad7 import GAD7
from screening.questionnaire.instruments.madrs import MADRS
from screening.questionnaire.instruments.pcl5 import PCL5
from screening.questionnaire.instruments.phq9 import PHQ9
from screening.questionnaire.model import CLINICIAN, Group, Instrument, Page, Section
from screening.questionnaire.text import _

# In schema order (intake.schema.json `scales`).
INSTRUMENTS: Final = (PHQ9, GAD7, PCL5, MADRS, CSSRS)


def _page(slug: str, title: str, chosen: tuple[Instrument, ...], notice: str) -> Page:
    return Page(
        slug,
        "scales",
        title,
        groups=tuple(Group(i.legend, (i.path,)) for i in chosen),
        notice=notice,
        keys=tuple(i.path.split(".")[1] for i in chosen),
    )


_PATIENT = tuple(i for i in INSTRUMENTS if i.entry != CLINICIAN)
# Instruments with items first, then totals only (the C-SSRS screener, then MADRS).
_CLINICIAN = tuple(
    sorted(
        (i for i in INSTRUMENTS if i.entry == CLINICIAN),
        key=lambda i: i.scoring.method == "total_only",
    )
)

SCALES: Final = Section(
    "scales",
    _("Symptom scales"),
    instruments=INSTRUMENTS,
    pages=(
        _page("scales", _("Symptom scales"), _PATIENT, ""),
        _page(
            "",
            _("Clinician-entered C-SSRS screener and MADRS total"),
            _CLINICIAN,
            _(
                "Clinician-entered: you record the patient's answers to the C-SSRS "
                "screener as the clinician, by topic. Your name and the time are kept "
                "with them."
            ),
        ),
    ),
)
