"""Time screening one intake in-process (facts_from_document + evaluate), default rules.

Usage: .venv/bin/python bench/bench_engine.py [DIR_OF_INTAKE_JSON ...]
Default: tests/engine/cases, and ../shared/vignettes when it exists. No Django needed.
"""

from __future__ import annotations

import gc
import json
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from screening.engine import (  # noqa: E402 - the path is set up first
    evaluate,
    facts_from_document,
    load_default_ruleset,
)

REPETITIONS = 2000


def documents(folders: list[Path]) -> list[tuple[str, dict[str, object]]]:
    found = []
    for folder in folders:
        for path in sorted(folder.glob("*.json")):
            data = json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)
            if isinstance(data, dict) and data.get("format") == "intake/1":
                found.append((path.name, data))
    return found


def main(argv: list[str]) -> int:
    folders = [Path(arg) for arg in argv] or [
        folder
        for folder in (ROOT / "tests/engine/cases", ROOT.parent / "shared/vignettes")
        if folder.is_dir()
    ]
    cases = documents(folders)
    if not cases:
        print("no intake/1 documents found in", ", ".join(map(str, folders)))
        return 2
    ruleset = load_default_ruleset()
    for _, doc in cases:  # warm-up: caches, first-call costs
        facts = facts_from_document(doc)
        evaluate(ruleset, facts, as_of=facts.intake_date)
    gc.collect()  # start from a clean heap; collections during the run still count
    timings = []
    for _ in range(REPETITIONS // len(cases) + 1):
        for _, doc in cases:
            start = time.perf_counter_ns()
            facts = facts_from_document(doc)
            evaluate(ruleset, facts, as_of=facts.intake_date)
            timings.append((time.perf_counter_ns() - start) / 1000)
    timings.sort()
    p99 = timings[min(len(timings) - 1, int(len(timings) * 0.99))]
    print(f"intakes: {len(cases)} from {', '.join(map(str, folders))}")
    print(
        f"rules: {len(ruleset.rules)} ({ruleset.version}); screenings: {len(timings)}"
    )
    print(f"median: {statistics.median(timings):.0f} us   p99: {p99:.0f} us")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
