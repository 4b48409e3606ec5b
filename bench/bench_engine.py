"""Time the screening engine per intake, and what its trace costs (issue #19 goal 3).

Usage: .venv/bin/python bench/bench_engine.py [--intakes N] [--rounds R]

The intakes are tests/engine/screening_corpus.py's: the engine cases, the
vignettes, devtools' generated documents and the same documents with answers missing.
Each intake's facts are built once (facts_from_document, timed on its own); then,
interleaved, R rounds of evaluate_untraced() (every rule's value, nothing else) and of
evaluate() (the same values plus the evidence and `needs` of each flag and not-evaluable
item). The trace's cost is evaluate() over evaluate_untraced() at the median and at p99.
On a shared machine the p99 of all runs is mostly other work's pauses; the script also
prints both over each intake's fastest round (the engine's own tail). No Django needed.
"""

from __future__ import annotations

import argparse
import gc
import itertools
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from screening.engine import facts_from_document, load_default_ruleset  # noqa: E402
from screening.engine.evaluate import evaluate, evaluate_untraced  # noqa: E402
from tests.engine.screening_corpus import corpus  # noqa: E402


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--intakes", type=int, default=600)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    cases = [doc for _, doc in itertools.islice(corpus(), args.intakes)]
    ruleset = load_default_ruleset()
    facts_us: list[float] = []
    untraced_us: list[float] = []
    traced_us: list[float] = []
    prepared = []
    for doc in cases:
        start = time.perf_counter_ns()
        facts = facts_from_document(doc)
        facts_us.append((time.perf_counter_ns() - start) / 1000)
        prepared.append(facts)
        evaluate(ruleset, facts, as_of=facts.intake_date)  # warm-up
        evaluate_untraced(ruleset, facts, as_of=facts.intake_date)
    gc.collect()  # start from a clean heap; collections during the run still count
    clock = time.perf_counter_ns
    for _ in range(args.rounds):
        for facts in prepared:
            as_of = facts.intake_date
            start = clock()
            evaluate_untraced(ruleset, facts, as_of=as_of)
            middle = clock()
            evaluate(ruleset, facts, as_of=as_of)
            end = clock()
            untraced_us.append((middle - start) / 1000)
            traced_us.append((end - middle) / 1000)
    medians = statistics.median(untraced_us), statistics.median(traced_us)
    p99s = percentile(untraced_us, 0.99), percentile(traced_us, 0.99)
    print(f"intakes: {len(cases)} (corpus of tests/engine/screening_corpus.py)")
    print(f"rules: {len(ruleset.rules)} ({ruleset.version}); rounds: {args.rounds}")
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(
        f"facts_from_document: median {statistics.median(facts_us):.0f} us"
        f"   p99 {percentile(facts_us, 0.99):.0f} us"
    )
    print(f"evaluate untraced:   median {medians[0]:.0f} us   p99 {p99s[0]:.0f} us")
    print(f"evaluate (traced):   median {medians[1]:.0f} us   p99 {p99s[1]:.0f} us")
    count = len(prepared)
    fastest = [
        min(times[i::count]) for times in (untraced_us, traced_us) for i in range(count)
    ]
    best = fastest[:count], fastest[count:]
    best_medians = statistics.median(best[0]), statistics.median(best[1])
    best_p99s = percentile(best[0], 0.99), percentile(best[1], 0.99)
    print(
        f"each intake's fastest round: untraced median {best_medians[0]:.0f} us,"
        f" p99 {best_p99s[0]:.0f} us; traced median {best_medians[1]:.0f} us,"
        f" p99 {best_p99s[1]:.0f} us; trace cost median"
        f" {best_medians[1] / best_medians[0]:.2f}x,"
        f" p99 {best_p99s[1] / best_p99s[0]:.2f}x"
    )
    print(
        f"trace cost: median {medians[1] / medians[0]:.2f}x untraced"
        f" ({(medians[1] / medians[0] - 1) * 100:+.0f} %),"
        f" p99 {p99s[1] / p99s[0]:.2f}x ({(p99s[1] / p99s[0] - 1) * 100:+.0f} %);"
        f" goal <= 1.25x at both"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
