"""Many intakes and their screening results' digests, to prove an engine change keeps
every result (flags, evidence, needs, their order) exactly as it was.

`python tests/engine/screening_corpus.py --write` records the current engine's digests
in screening_digests.json; run it only when a rule or the ruleset is meant to change the
results, never to make a refactoring's test pass.
"""

from __future__ import annotations

import copy
import hashlib
import json
import random
import sys
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from devtools.generated_documents import generated_document  # noqa: E402
from screening.engine import screen_document  # noqa: E402
from screening.intake_format import DocumentInvalid, load_document  # noqa: E402
from screening.intake_format.normal_form import dumps  # noqa: E402

DIGESTS = Path(__file__).with_name("screening_digests.json")
GENERATED = 1000
UNTIL = date(2026, 10, 31)
# Answers the format requires in a valid document: never removed.
KEPT = frozenset({"checklist_default", "primary", "age", "missing_reasons"})


def _holed(document: dict[str, Any], rng: random.Random) -> dict[str, Any] | None:
    """The document with about one answer in ten removed or set to null (the
    not-evaluable paths, `needs`, the completions of part-scored instruments), or None
    when that made it invalid: the engine screens only valid documents."""
    holed = copy.deepcopy(document)

    def walk(node: Any, depth: int) -> None:
        if isinstance(node, dict):
            for key in list(node):
                if key in KEPT:
                    continue
                draw = rng.random()
                if draw < 0.04 and depth > 0:
                    del node[key]
                elif draw < 0.10:
                    node[key] = None
                elif depth < 1:
                    walk(node[key], depth + 1)
        elif isinstance(node, list):
            for index, item in enumerate(node):
                if not isinstance(item, dict) and rng.random() < 0.1:
                    node[index] = None

    for section in holed.values():
        walk(section, 0)
    try:
        return load_document(dumps(holed), today=None)
    except DocumentInvalid:
        return None


def corpus() -> Iterator[tuple[str, dict[str, Any]]]:
    """(name, intake/1 document): the engine cases, the vignettes, generated intakes
    and the same generated intakes with answers missing."""
    for folder in (ROOT / "tests/engine/cases", ROOT / "tests/vignettes"):
        for path in sorted(folder.glob("*.json")):
            data = json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)
            if isinstance(data, dict) and data.get("format") == "intake/1":
                yield f"{folder.name}/{path.name}", data
    for number in range(GENERATED):
        document, _ = generated_document(7, number, until=UNTIL)
        yield f"generated/{number}", document
        for attempt in range(5):
            rng = random.Random(number * 10 + attempt)  # noqa: S311 - test data
            holed = _holed(document, rng)
            if holed is not None:
                yield f"holed/{number}", holed
                break


def digest(document: dict[str, Any]) -> str:
    """The screening result as JSON text (order kept), hashed."""
    text = json.dumps(screen_document(document), default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def digests() -> dict[str, str]:
    return {name: digest(document) for name, document in corpus()}


if __name__ == "__main__":
    if sys.argv[1:] != ["--write"]:
        sys.exit("usage: screening_corpus.py --write")
    DIGESTS.write_text(json.dumps(digests(), indent=0, sort_keys=True) + "\n")
