"""intake/1 lists hold at most 50 entries (intake-format.md §1, erratum 2026-12)."""

import copy

import pytest

from screening.intake_format import validate_document
from tests.intake_format.samples import EVERY_KEY, TODAY, load

# Each list of the format and one valid entry of it.
LISTS = [
    (("allergies",), None),
    (("medications",), None),
    (("antidepressant_trials",), None),
    (("medical_history", "other_conditions"), None),
    (("psychiatric_history", "other_conditions"), "bipolar II, historical"),
    (("substance_use", "substance_use_disorders"), None),
    (("substance_use", "non_medical_use"), None),
]


def _with_entries(path, entry, count):
    doc = load(EVERY_KEY)
    holder = doc
    for part in path[:-1]:
        holder = holder[part]
    entry = entry if entry is not None else holder[path[-1]][0]
    holder[path[-1]] = [copy.deepcopy(entry) for _ in range(count)]
    # Reasons given for nulls of the sample's own rows would point at copied values.
    listed = ".".join(path)
    reasons = doc.get("missing_reasons") or {}
    doc["missing_reasons"] = {
        key: reason for key, reason in reasons.items() if not key.startswith(listed)
    }
    return doc


@pytest.mark.parametrize(("path", "entry"), LISTS)
def test_it_refuses_a_list_of_51_entries_with_one_error_at_the_list__f5(path, entry):
    assert validate_document(_with_entries(path, entry, 50), today=TODAY) == []
    issues = validate_document(_with_entries(path, entry, 51), today=TODAY)
    assert [issue.path for issue in issues] == [".".join(path)]
    assert "at most 50 entries" in issues[0].message
