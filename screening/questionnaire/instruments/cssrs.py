"""C-SSRS screener (rule book §8.6), clinician-entered, by topic only (§9)."""

from typing import Final

from screening.questionnaire.model import (
    CLINICIAN,
    YES_NO,
    Fact,
    Instrument,
    Question,
    Scoring,
    asked_if,
)
from screening.questionnaire.text import _

_PATH = "scales.cssrs_screener"
# Not asked unless q2 (q3-q5) or q6 (q6_within_3_months) is yes: stored as null.
_THOUGHTS = asked_if(f"{_PATH}.q2", "=", True)
_BEHAVIOUR = asked_if(f"{_PATH}.q6", "=", True)


def _q(name: str, topic: str, **extra: object) -> Question:
    return Question(
        f"{_PATH}.{name}",
        YES_NO,
        topic,
        required=True,
        entry=CLINICIAN,
        fact=Fact(
            f"C-SSRS screener answer {name}, as entered (not-asked questions are null)",
            False,
        ),
        number=name.replace("_", " "),
        **extra,  # type: ignore[arg-type]
    )


CSSRS: Final = Instrument(
    key="CSSRS",
    path=_PATH,
    name=_("C-SSRS"),
    legend=_(
        "Clinician-entered C-SSRS screener: the clinician's record of the patient's "
        "answers"
    ),
    given_label=_("Clinician-entered C-SSRS screener"),
    items=(
        _q("q1", _("Wish to be dead (past month)")),
        _q("q2", _("Active suicidal thoughts (past month)")),
        _q(
            "q3",
            _("Thoughts of a method, without intent or plan (past month)"),
            asked_if=_THOUGHTS,
        ),
        _q("q4", _("Intent, without a specific plan (past month)"), asked_if=_THOUGHTS),
        _q("q5", _("Intent with a specific plan (past month)"), asked_if=_THOUGHTS),
        _q("q6", _("Any suicidal behaviour or preparation (lifetime)")),
        _q(
            "q6_within_3_months",
            _("That behaviour was in the past 3 months"),
            asked_if=_BEHAVIOUR,
        ),
    ),
    scoring=Scoring("cssrs"),
    completion=_(
        "q1, q2 and q6 always; q3-q5 when q2 is yes; q6_within_3_months when q6 is "
        "yes. With a required answer missing the risk is decided over the completions."
    ),
    licence=_(
        "\u00a9 Research Foundation for Mental Hygiene: no electronic self-report; the "
        "app records the clinician's answers to the screener, by topic, with the "
        "clinician's name. Legal review before release."
    ),
    entry=CLINICIAN,
    expected=True,
    required=True,
    form_prefix="cssrs",
    given_words=(_("Done"), _("Not done")),
    is_list=False,
    topics_only=True,
    label=_("C-SSRS screener (clinician-entered)"),
)
