"""intake.schema.json (shipped) against the schema the declaration implies."""

from typing import Any

import pytest

from screening.intake_format.schema import SCHEMA
from screening.questionnaire.schema import MAX_LIST_ITEMS, implied_schemas

IMPLIED = implied_schemas()


def _normal(node: Any) -> Any:
    """$refs resolved, descriptions dropped, `required` as a set, and the erratum's
    list limit (maxItems 50) taken as implied whether or not the file has it yet."""
    if isinstance(node, list):
        return [_normal(item) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        return _normal(SCHEMA["$defs"][node["$ref"].removeprefix("#/$defs/")])
    found = {k: _normal(v) for k, v in node.items() if k != "description"}
    if "required" in found and isinstance(found["required"], list):
        found["required"] = sorted(found["required"])
    if found.get("maxItems") == MAX_LIST_ITEMS:
        del found["maxItems"]
    return found


@pytest.mark.parametrize("key", list(IMPLIED))
def test_it_ships_the_schema_the_declaration_implies(key):
    assert _normal(IMPLIED[key]) == _normal(SCHEMA["properties"][key])


def test_it_declares_every_top_level_section_of_the_schema():
    shipped = set(SCHEMA["properties"]) - {"format", "patient", "missing_reasons"}
    assert shipped == set(IMPLIED)


def test_it_limits_every_declared_list_to_fifty_rows():
    lists = [v for v in IMPLIED.values() if v.get("type") == ["array", "null"]]
    assert lists
    assert all(v["maxItems"] == MAX_LIST_ITEMS for v in lists)
