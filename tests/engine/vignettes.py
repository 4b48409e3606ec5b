"""Compare a screening result with an expected file in the shared acceptance format."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from screening.engine import screen_document


def problems(case: Path) -> list[str]:
    """What differs between screening the case and its expected/ file."""
    document = json.loads(case.read_text(encoding="utf-8"), parse_float=Decimal)
    expected = json.loads(
        (case.parent / "expected" / case.name).read_text(encoding="utf-8")
    )
    # Through JSON text, as the screen command prints it.
    result: dict[str, Any] = json.loads(json.dumps(screen_document(document)))
    found = []
    if result["outcome"] != expected["outcome"]:
        found.append(f"outcome {result['outcome']}")
    got = {(flag["code"], flag["severity"]) for flag in result["flags"]}
    want = {(flag["code"], flag["severity"]) for flag in expected["flags"]}
    if got != want:
        found.append(f"missing {sorted(want - got)}, unexpected {sorted(got - want)}")
    fired = {code for code, _ in got}
    found += [
        f"{code} must not fire" for code in expected["must_not_fire"] if code in fired
    ]
    listed = {item["code"] for item in result["not_evaluable"]}
    found += [
        f"{code} not listed"
        for code in expected.get("not_evaluable", [])
        if code not in listed
    ]
    for name, value in expected["derived"].items():
        actual = result["derived"].get(name, "<absent>")
        if json.dumps(actual, sort_keys=True) != json.dumps(value, sort_keys=True):
            found.append(f"derived.{name} = {actual!r}, expected {value!r}")
    return found
