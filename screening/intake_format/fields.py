"""Field lists of the intake/1 document (intake-format.md sections 2.3, 3.5, 3.6).

Derived from the declaration (screening/questionnaire/); kept here for the importer.
"""

from typing import Any, Final

from screening import questionnaire
from screening.questionnaire.branching import (
    ALL_FALSE,
    checklist_answers,
    checklist_items,
)
from screening.questionnaire.model import MISSING_REASONS

__all__ = [
    "ALL_FALSE",
    "CHECKLIST_ITEMS",
    "FORMAT",
    "MEDICAL_ITEMS",
    "MISSING_REASONS",
    "PSYCHIATRIC_ITEMS",
    "SECTIONS",
    "checklist_answers",
]

FORMAT: Final = "intake/1"

# Section keys in schema order (intake-format.md section 3.0), without format, patient
# and intake_date.
SECTIONS: Final = tuple(section.name for section in questionnaire.SECTIONS)

# The 21 medical checklist items (section 3.5) with the value that
# `checklist_default: "all_false"` gives an unlisted item (section 2.3).
MEDICAL_ITEMS: Final[dict[str, Any]] = checklist_items("medical_history")

# The 5 psychiatric checklist items (section 3.6) and their "all_false" values.
PSYCHIATRIC_ITEMS: Final[dict[str, Any]] = checklist_items("psychiatric_history")

CHECKLIST_ITEMS: Final = {
    "medical_history": MEDICAL_ITEMS,
    "psychiatric_history": PSYCHIATRIC_ITEMS,
}
