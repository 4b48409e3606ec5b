"""Helpers for declaring an instrument's items."""

from screening.questionnaire.model import CHOICE, STAFF, Option, Question


def item_list(
    path: str,
    answers: tuple[Option, ...],
    topics: tuple[str, ...],
    *,
    entry: str = STAFF,
) -> tuple[Question, ...]:
    """The items of a list instrument, each labelled by its topic (`<path>[]`)."""
    return tuple(
        Question(
            f"{path}[]",
            CHOICE,
            topic,
            options=answers,
            minimum=int(answers[0].value),
            maximum=int(answers[-1].value),
            entry=entry,
        )
        for topic in topics
    )
