"""AUDIT-C (rule book §8.4): three alcohol questions, each 0-4 points."""

from typing import Final

from screening.questionnaire.model import (
    CHOICE,
    LOINC,
    PATIENT,
    Code,
    Fact,
    Instrument,
    Option,
    Question,
    Scoring,
    asked_if,
)
from screening.questionnaire.text import _

_PATH = "substance_use.audit_c"
# The AUDIT skip rule: "never" (q1 = 0) scores q2 = q3 = 0, never null (3.10).
_DRINKS = asked_if(f"{_PATH}.q1", "!=", 0)


def _q(name: str, label: str, answers: tuple[str, ...], **extra: object) -> Question:
    return Question(
        f"{_PATH}.{name}",
        CHOICE,
        label,
        options=tuple(Option(n, text) for n, text in enumerate(answers)),
        minimum=0,
        maximum=4,
        required=True,
        entry=PATIENT,
        fact=Fact(f"AUDIT-C {name}, 0-4 points", 1),
        number=name[1],
        **extra,  # type: ignore[arg-type]
    )


# Answers as intake-format.md 3.10 words them (public domain, rule book §9).
AUDIT_C: Final = Instrument(
    key="AUDITC",
    path=_PATH,
    name=_("AUDIT-C"),
    legend=_("AUDIT-C (alcohol)"),
    given_label=_("AUDIT-C"),
    items=(
        _q(
            "q1",
            _("How often the patient has a drink containing alcohol"),
            (
                _("Never"),
                _("Monthly or less"),
                _("2–4 times a month"),  # noqa: RUF001 - literal: gettext reads no \u escape
                _("2–3 times a week"),  # noqa: RUF001
                _("4 or more times a week"),
            ),
        ),
        _q(
            "q2",
            _("Drinks containing alcohol on a typical drinking day"),
            (_("1 or 2"), _("3 or 4"), _("5 or 6"), _("7 to 9"), _("10 or more")),
            asked_if=_DRINKS,
            not_asked_value=0,
        ),
        _q(
            "q3",
            _("How often six or more drinks on one occasion"),
            (
                _("Never"),
                _("Less than monthly"),
                _("Monthly"),
                _("Weekly"),
                _("Daily or almost daily"),
            ),
            asked_if=_DRINKS,
            not_asked_value=0,
        ),
    ),
    scoring=Scoring("sum", item_max=4, bands=((12, "scored"),)),
    completion=_(
        "q1 always; q2 and q3 unless q1 is \u201cnever\u201d (then they score 0). "
        "Positive at 4 or more for male sex for scoring, otherwise 3 or more, decided "
        "over the completions of unanswered items."
    ),
    licence=_("Public domain (SAMHSA): embed the items; score."),
    total_codes=(Code(LOINC, "75626-2", "Total score [AUDIT-C]"),),
    panel_codes=(
        Code(
            LOINC, "72109-2", "Alcohol Use Disorder Identification Test - Consumption"
        ),
    ),
    entry=PATIENT,
    expected=True,
    required=True,
    form_prefix="audit",
    is_list=False,
)
