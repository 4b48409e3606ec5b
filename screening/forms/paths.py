"""Field paths inside one intake/1 section value: the declaration's one grammar.

Kept as the forms' import point; the grammar lives in screening/questionnaire/paths.py.
"""

from screening.questionnaire.paths import (
    ABSENT,
    flatten,
    join_path,
    parse_path,
    pattern_of,
    relative_to_section,
    value_at,
)

__all__ = [
    "ABSENT",
    "flatten",
    "join_path",
    "parse_path",
    "pattern_of",
    "relative_to_section",
    "value_at",
]
