"""Compare the candidate rule-expression languages on this machine: CEL
(common-expression-language), rule-engine, and the engine's own evaluator (rule-engine's
parser compiled to three-valued closures). Prints compile time, time per evaluation of a
typical rule, and what each one rejects, and when (compile or evaluation).

Usage: .venv/bin/pip install -r bench/requirements.txt
       .venv/bin/python bench/expression_languages.py
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import cel
import rule_engine

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from screening.engine.expression_nodes import AS_OF  # noqa: E402 - path set up first
from screening.engine.expressions import (  # noqa: E402
    ExpressionError,
    compile_expression,
)

TYPICAL = "vitals.bp_systolic > 180 or vitals.bp_diastolic > 100"
FLAT = "bp_systolic > 180 or bp_diastolic > 100"  # rule-engine types flat symbols only
VALUES = {"bp_systolic": 186, "bp_diastolic": 104}

# (what is tried, ours / rule-engine, CEL, values: bp_diastolic null where it matters)
PROBES: list[tuple[str, str, str, str]] = [
    ("unknown name", "vitals.bp_sistolic > 180", "vitals.bp_sistolic > 180", "known"),
    (
        "text vs number",
        'vitals.bp_systolic > "high"',
        'vitals.bp_systolic > "high"',
        "known",
    ),
    ("date vs number", "intake_date > 3", "intake_date > 3", "known"),
    ("attribute access", "vitals.__class__", "vitals.__class__", "known"),
    ("function call", 'open("x")', 'open("x")', "known"),
    ("loop", "[x for x in [1, 2]]", "[1, 2].all(x, x > 0)", "known"),
    ("null > 100", "vitals.bp_diastolic > 100", "vitals.bp_diastolic > 100", "null"),
    (
        "null or true",
        TYPICAL.split(" or ")[1] + " or " + TYPICAL.split(" or ")[0],
        "vitals.bp_diastolic > 100 || vitals.bp_systolic > 180",
        "null",
    ),
]


def per_call_us(function: Callable[[], Any], repetitions: int) -> float:
    start = time.perf_counter()
    for _ in range(repetitions):
        function()
    return (time.perf_counter() - start) / repetitions * 1e6


def vitals(kind: str) -> dict[str, Any]:
    return {"bp_systolic": 186, "bp_diastolic": None if kind == "null" else 104}


def outcome(compile_: Callable[[], Any], run: Callable[[Any], Any]) -> str:
    try:
        program = compile_()
    except Exception as error:  # noqa: BLE001 - the point is to report any refusal
        return f"compile: {type(error).__name__}"
    try:
        return f"runs: {run(program)!r}"
    except Exception as error:  # noqa: BLE001
        return f"eval: {type(error).__name__}"


def rule_engine_context() -> Any:
    types = rule_engine.type_resolver_from_dict(
        {
            "vitals": rule_engine.DataType.MAPPING(
                rule_engine.DataType.STRING, rule_engine.DataType.FLOAT
            ),
            "intake_date": rule_engine.DataType.DATETIME,
            "bp_systolic": rule_engine.DataType.FLOAT,
            "bp_diastolic": rule_engine.DataType.FLOAT,
        }
    )
    return rule_engine.Context(type_resolver=types)


def ours_env(kind: str) -> dict[str, Any]:
    values = vitals(kind)
    return {
        "vitals.bp_systolic": values["bp_systolic"],
        "vitals.bp_diastolic": values["bp_diastolic"],
        "intake_date": date(2026, 9, 15),
        AS_OF: date(2026, 9, 15),
    }


def main() -> int:
    context = rule_engine_context()
    uncached = compile_expression.__wrapped__
    rows = [
        (
            "compile (us)",
            per_call_us(lambda: uncached(TYPICAL), 300),
            per_call_us(lambda: rule_engine.Rule(FLAT, context=context), 300),
            per_call_us(lambda: cel.compile(TYPICAL.replace(" or ", " || ")), 300),
        )
    ]
    ours = uncached(TYPICAL)
    env = ours_env("known")
    typed = rule_engine.Rule(FLAT, context=context)
    program = cel.compile(TYPICAL.replace(" or ", " || "))
    cel_context = cel.Context({"vitals": vitals("known")})
    rows.append(
        (
            "evaluate (us)",
            per_call_us(lambda: ours.evaluate(env), 20000),
            per_call_us(lambda: typed.matches(VALUES), 20000),
            per_call_us(lambda: program.execute(cel_context), 20000),
        )
    )
    print(f"Typical rule: {TYPICAL}")
    print(f"{'':24}{'ours':>16}{'rule-engine':>16}{'CEL':>16}")
    for label, *numbers in rows:
        print(f"{label:24}" + "".join(f"{n:16.1f}" for n in numbers))
    print()
    print(f"{'probe':18}{'ours':34}{'rule-engine':34}{'CEL':34}")
    for label, text, cel_text, kind in PROBES:
        mine = outcome(
            lambda t=text: uncached(t), lambda p, k=kind: p.evaluate(ours_env(k))
        )
        if isinstance(mine, str) and mine.startswith("compile"):
            try:
                uncached(text)
            except ExpressionError as error:
                mine = f"compile: {str(error)[:30]}"
        theirs = outcome(
            lambda t=text: rule_engine.Rule(t, context=context),
            lambda r, k=kind: r.matches({"vitals": vitals(k), "intake_date": None}),
        )
        google = outcome(
            lambda t=cel_text: cel.compile(t),
            lambda p, k=kind: p.execute(
                {"vitals": vitals(k), "intake_date": "2026-09-15"}
            ),
        )
        print(f"{label:18}{mine[:33]:34}{theirs[:33]:34}{google[:33]:34}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
